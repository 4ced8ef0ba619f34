"""Exact daily summaries that let the reconciliation read thousands of rows instead of millions.

Both are maintained set-based by statement-level triggers on INSERT into the ledgers (migrations/sql/summaries.sql):
value entry amounts and G/L entries never change once posted (the costing and ledger guards refuse it), so adding each
statement's new rows is enough to keep them exact. Only the reconciliation reads them.
"""

from django.db import models

from core.money import AMOUNT_FIELD


class ValueEntryDay(models.Model):
    """Value entries summed per posting date, location and the four columns the formulas of 3.3 look at."""

    posting_date = models.DateField()
    location_code = models.CharField(max_length=20, default="")  # "" = blank location
    ile = models.CharField(max_length=20)
    et = models.CharField(max_length=20)
    vt = models.CharField(max_length=30)
    ot = models.CharField(max_length=20)
    entries = models.BigIntegerField(default=0)
    act = models.DecimalField(default=0, **AMOUNT_FIELD)
    exp = models.DecimalField(default=0, **AMOUNT_FIELD)

    class Meta:
        db_table = "reconciliation_ve_day"
        constraints = [
            models.UniqueConstraint(
                fields=["posting_date", "location_code", "ile", "et", "vt", "ot"], name="recon_ve_day_key"
            )
        ]


class GLEntryDay(models.Model):
    """G/L entries summed per account and posting date: net change of any account over any date range."""

    gl_account_id = models.CharField(max_length=20)
    posting_date = models.DateField()
    entries = models.BigIntegerField(default=0)
    amount = models.DecimalField(default=0, **AMOUNT_FIELD)

    class Meta:
        db_table = "reconciliation_gl_day"
        constraints = [models.UniqueConstraint(fields=["gl_account_id", "posting_date"], name="recon_gl_day_key")]

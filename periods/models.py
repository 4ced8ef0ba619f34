"""Inventory periods (costing reference 4.10): once closed, nothing is posted on or before the ending date."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.money import AMOUNT_FIELD, QUANTITY_FIELD


class InventoryPeriod(models.Model):
    ending_date = models.DateField(_("ending date"), primary_key=True)
    name = models.CharField(_("name"), max_length=50, blank=True)
    closed = models.BooleanField(_("closed"), default=False)

    class Meta:
        db_table = "periods_inventory_period"
        ordering = ["ending_date"]
        verbose_name = _("inventory period")

    def __str__(self):
        return self.name or self.ending_date.isoformat()


class InventoryPeriodEntry(models.Model):
    class EntryType(models.TextChoices):
        CLOSE = "close", _("Close")
        REOPEN = "reopen", _("Re-open")

    entry_no = models.BigAutoField(primary_key=True)
    ending_date = models.DateField(_("ending date"))
    entry_type = models.CharField(_("entry type"), max_length=10, choices=EntryType.choices)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.PROTECT)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    closing_item_register_no = models.BigIntegerField(null=True, blank=True)
    description = models.TextField(blank=True)

    class Meta:
        db_table = "periods_inventory_period_entry"
        ordering = ["entry_no"]
        verbose_name = _("inventory period entry")


class InventoryCloseLogLine(models.Model):
    """What a close could not settle with final cost up to its closing date (the AX inventory close log, seed 003).

    Written with the close entry, never changed. One line per outbound item ledger entry and reason.
    """

    class Reason(models.TextChoices):
        PROVISIONAL_COST = "provisional_cost", _("Applied to a receipt not yet completely invoiced")
        RECEIPT_AFTER_CLOSING_DATE = "receipt_after_closing_date", _("No receipt up to the closing date")

    id = models.BigAutoField(primary_key=True)
    period_entry = models.ForeignKey(
        InventoryPeriodEntry, on_delete=models.PROTECT, related_name="log_lines", db_column="period_entry_no"
    )
    reason = models.CharField(_("reason"), max_length=30, choices=Reason.choices)
    item_no = models.CharField(_("item no."), max_length=20)
    item_ledger_entry_no = models.BigIntegerField(_("item ledger entry no."))
    posting_date = models.DateField(_("posting date"))
    quantity = models.DecimalField(_("quantity"), **QUANTITY_FIELD)
    # The inbound entry the outbound entry was settled against (the receipt not invoiced, or dated after closing).
    inbound_entry_no = models.BigIntegerField(_("inbound entry no."), null=True, blank=True)
    inbound_posting_date = models.DateField(_("inbound posting date"), null=True, blank=True)

    class Meta:
        db_table = "periods_inventory_close_log_line"
        ordering = ["period_entry", "item_no", "item_ledger_entry_no", "id"]
        verbose_name = _("inventory close log line")
        indexes = [
            # The log page shows the lines of one close entry.
            models.Index(fields=["period_entry", "item_no"], name="close_log_entry_item"),
        ]

    def __str__(self):
        return f"{self.item_no} ILE {self.item_ledger_entry_no}: {self.reason}"

    @property
    def quantity_shown(self) -> str:
        """The quantity without trailing zeros (5, 2.5), never in exponent form."""
        return f"{self.quantity.normalize():f}"

    @property
    def message(self) -> str:
        """The warning in the reader's language (stored as facts, worded when shown)."""
        values = {
            "entry": self.item_ledger_entry_no,
            "item": self.item_no,
            "inbound": self.inbound_entry_no,
            "date": self.inbound_posting_date,
        }
        if self.reason == self.Reason.PROVISIONAL_COST:
            return (
                _(
                    "The cost of item ledger entry %(entry)s (item %(item)s) may be incorrect: it is applied to "
                    "receipt %(inbound)s, which is not completely invoiced, so its cost is provisional up to the "
                    "closing date."
                )
                % values
            )
        return (
            _(
                "The cost of item ledger entry %(entry)s (item %(item)s) could not be settled up to the closing "
                "date: it is applied to entry %(inbound)s, received on %(date)s, after the closing date."
            )
            % values
        )


class PeriodCloseSnapshot(models.Model):
    """The inventory accounts' balances as of a closed period's ending date, taken by the close (invariant I6b,
    docs/reliability.md): the books of a closed period must still show them later.

    Written with the close entry, never changed (UPDATE, DELETE and TRUNCATE refused by triggers). Per close entry one
    row per inventory account (``account_total``: location and posting group empty) with its G/L balance, and one row
    per inventory account x location x inventory posting group with the valuation only (``gl_balance`` 0: the G/L
    knows no location). ``inventory_value`` is the valuation as of the ending date (actual cost on the inventory
    account, expected cost on the interim account when expected cost is posted); ``not_posted`` the part of it not yet
    posted to the G/L. Post Inventory Cost to G/L may still post that part after the close, so what stays frozen per
    account is ``gl_balance + not_posted`` and ``inventory_value``.
    """

    id = models.BigAutoField(primary_key=True)
    period_entry = models.ForeignKey(
        InventoryPeriodEntry, on_delete=models.PROTECT, related_name="snapshot_rows", db_column="period_entry_no"
    )
    ending_date = models.DateField(_("ending date"))
    gl_account_no = models.CharField(_("G/L account no."), max_length=20)
    location_code = models.CharField(_("location code"), max_length=20, null=True, blank=True)
    inventory_posting_group = models.CharField(_("inventory posting group"), max_length=20, null=True, blank=True)
    account_total = models.BooleanField(_("account total"), default=False)
    gl_balance = models.DecimalField(_("G/L balance"), **AMOUNT_FIELD)
    inventory_value = models.DecimalField(_("inventory value"), **AMOUNT_FIELD)
    not_posted = models.DecimalField(_("not posted to G/L"), **AMOUNT_FIELD)
    expected_cost_posting = models.BooleanField(_("expected cost posting"), default=False)

    class Meta:
        db_table = "periods_close_snapshot"
        ordering = ["period_entry", "gl_account_no", "-account_total", "location_code", "inventory_posting_group"]
        verbose_name = _("period close snapshot")

    def __str__(self):
        where = "total" if self.account_total else f"{self.location_code or '-'}/{self.inventory_posting_group or '-'}"
        return f"{self.ending_date} {self.gl_account_no} {where}: {self.gl_balance} / {self.inventory_value}"

"""Inventory periods (costing reference 4.10): once closed, nothing is posted on or before the ending date."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


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

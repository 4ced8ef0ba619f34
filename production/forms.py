"""Production page forms: create an order, and the dated actions on one order (consumption from the BOM, capacity,
output, finish)."""

from django import forms
from django.utils.translation import gettext_lazy as _

from production.models import ProductionOrderStatus


class OrderFilterForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), required=False, choices=[("", "—"), *ProductionOrderStatus.choices])
    item = forms.CharField(label=_("Item"), required=False, max_length=20)


class OrderCreateForm(forms.Form):
    item = forms.CharField(label=_("Item"), max_length=20)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=20, decimal_places=5, min_value=0)
    location = forms.CharField(label=_("Location"), max_length=20, required=False)
    due_date = forms.DateField(label=_("Due date"), required=False)
    release = forms.BooleanField(label=_("Release now"), required=False, initial=True)


class OrderActionForm(forms.Form):
    ACTIONS = [
        ("release", _("Release")),
        ("consumption", _("Post consumption (BOM)")),
        ("capacity", _("Post capacity")),
        ("output", _("Post output")),
        ("finish", _("Finish")),
    ]
    action = forms.ChoiceField(label=_("Action"), choices=ACTIONS)
    posting_date = forms.DateField(label=_("Posting date"))
    work_center = forms.CharField(label=_("Work center"), max_length=20, required=False)
    run_time = forms.DecimalField(label=_("Run time"), max_digits=20, decimal_places=5, required=False, min_value=0)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=20, decimal_places=5, required=False, min_value=0)

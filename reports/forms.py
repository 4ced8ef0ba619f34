"""Filters of the reports, the same for the pages and the API (shared/spec/api.md "Reports"), parsed into
``selectors.ReportFilters``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import QueryBooleanField
from reports.selectors import ReportFilters

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReportForm(forms.Form):
    """Date range reports: Inventory Valuation, WIP, Cost Shares Breakdown."""

    date_from = forms.DateField(label=_("Posting date from"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("Posting date to"), required=False, widget=DATE_INPUT)
    # Checked as sent (the API schema's maxLength), trimmed by to_filters.
    item = forms.CharField(label=_("Item no."), required=False, max_length=20, strip=False)
    location = forms.CharField(label=_("Location code"), required=False, max_length=20, strip=False)

    # Another name the API takes for a field (shared/spec/api.md: "date_to (or as_of)"): it fills the field when the
    # field is not given, and is checked as a date either way.
    ALIASES = {"as_of": "date_to"}

    def __init__(self, data=None, *args, **kwargs):
        self.aliased = {}
        if data is not None:
            for alias, target in self.ALIASES.items():
                if data.get(alias):
                    self.aliased[alias] = (target, data[alias])
                    if not data.get(target):
                        data = data.copy()
                        data[target] = data[alias]
        super().__init__(data, *args, **kwargs)

    def clean(self):
        cleaned = super().clean()
        for alias, (target, value) in self.aliased.items():
            try:
                self.fields[target].clean(value)
            except forms.ValidationError as exc:
                self._errors[alias] = self.error_class(exc.messages)
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def to_filters(self) -> ReportFilters:
        data = self.cleaned_data if self.is_bound else {}
        return ReportFilters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            as_of=data.get("as_of"),
            item=(data.get("item") or "").strip(),
            location=(data.get("location") or "").strip(),
            include_expected_cost=bool(data.get("include_expected_cost")),
            basis=data.get("basis") or "",
        )


class ValuationForm(ReportForm):
    include_expected_cost = QueryBooleanField(label=_("Include expected cost"), required=False)


class CostSharesForm(ReportForm):
    basis = forms.ChoiceField(
        label=_("Cost of"),
        required=False,
        choices=[("sales", _("Items sold")), ("output", _("Items produced"))],
    )


class AsOfForm(ReportForm):
    """Reports at a date: Cost Spec. and Inventory as of. ``date_to`` is accepted for ``as_of``."""

    date_from = None
    date_to = None
    as_of = forms.DateField(label=_("As of"), required=False, widget=DATE_INPUT)
    ALIASES = {"date_to": "as_of"}

    def __init__(self, data=None, *args, **kwargs):
        super().__init__(data, *args, **kwargs)
        self.order_fields(["as_of", "item", "location"])


class InventoryAsOfForm(AsOfForm):
    include_expected_cost = QueryBooleanField(label=_("Include expected cost"), required=False)
    basis = forms.ChoiceField(
        label=_("Value by"),
        required=False,
        choices=[("valuation_date", _("Valuation date")), ("posting_date", _("Posting date"))],
    )


FORMS = {
    "inventory-valuation": ValuationForm,
    "inventory-valuation-cost-spec": AsOfForm,
    "inventory-valuation-wip": ReportForm,
    "cost-shares-breakdown": CostSharesForm,
    "inventory-as-of": InventoryAsOfForm,
}

"""Filters of the reconciliation page and API, parsed once into ``selectors.Filters``."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.forms import QueryBooleanField
from reconciliation.formulas import COLUMNS, ROWS
from reconciliation.selectors import Filters

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ReconciliationFilterForm(forms.Form):
    date_from = forms.DateField(label=_("Posting date from"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("Posting date to"), required=False, widget=DATE_INPUT)
    # Checked as sent (the API schema's maxLength), trimmed by to_filters.
    item = forms.CharField(label=_("Item no."), required=False, max_length=20, strip=False)
    location = forms.CharField(label=_("Location code"), required=False, max_length=20, strip=False)
    show_warnings = QueryBooleanField(label=_("Show warnings"), required=False)

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def to_filters(self) -> Filters:
        data = self.cleaned_data
        return Filters(
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            item=(data.get("item") or "").strip(),
            location=(data.get("location") or "").strip(),
            show_warnings=bool(data.get("show_warnings")),
        )


class DrilldownForm(ReconciliationFilterForm):
    row = forms.ChoiceField(label=_("Row"), choices=[(r, r) for r in ROWS], widget=forms.HiddenInput)
    column = forms.ChoiceField(label=_("Column"), choices=[(c, c) for c in COLUMNS], widget=forms.HiddenInput)
    kind = forms.CharField(
        label=_("Show"),
        required=False,
        max_length=40,
        widget=forms.HiddenInput,
        help_text=_("The choice where a figure mixes kinds (see kinds in the answer)."),
    )
    show_warnings = None

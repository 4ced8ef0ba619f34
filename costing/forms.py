"""Forms of the inventory pages: the list filters, the item journal lines and the revaluation journal lines."""

from django import forms
from django.utils.translation import gettext_lazy as _

from core.money import QUANTITY_PLACES, UNIT_COST_PLACES
from costing.models import CostingMethod, ItemLedgerEntryType, ValueEntryType
from costing.posting import JOURNAL_TYPES, JournalLine, RevaluationLine
from costing.selectors_pages import (
    ApplicationEntryFilter,
    ItemFilter,
    ItemLedgerEntryFilter,
    ValueEntryFilter,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ANY = [("", _("(all)"))]
YES_NO = [("", _("(all)")), ("yes", _("Yes")), ("no", _("No"))]


def _yes_no(value: str) -> bool | None:
    return {"yes": True, "no": False}.get(value)


class DateRangeMixin:
    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned


def _text(data, name):
    return (data.get(name) or "").strip()


class ItemFilterForm(forms.Form):
    text = forms.CharField(label=_("No. or description contains"), required=False, max_length=100)
    costing_method = forms.ChoiceField(label=_("Costing method"), required=False, choices=ANY + CostingMethod.choices)

    def to_filter(self) -> ItemFilter:
        return ItemFilter(text=_text(self.cleaned_data, "text"), costing_method=self.cleaned_data["costing_method"])


class ItemLedgerEntryFilterForm(DateRangeMixin, forms.Form):
    item = forms.CharField(label=_("Item no."), required=False, max_length=20)
    location = forms.CharField(label=_("Location code"), required=False, max_length=20)
    date_from = forms.DateField(label=_("Posting date from"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("Posting date to"), required=False, widget=DATE_INPUT)
    entry_type = forms.ChoiceField(label=_("Entry type"), required=False, choices=ANY + ItemLedgerEntryType.choices)
    document_no = forms.CharField(label=_("Document no."), required=False, max_length=40)
    open = forms.ChoiceField(label=_("Open"), required=False, choices=YES_NO)
    register_no = forms.IntegerField(label=_("Item register no."), required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].widget.attrs.update({"list": "item-list", "autocomplete": "off"})
        self.fields["location"].widget.attrs.update({"list": "location-list", "autocomplete": "off"})

    def to_filter(self) -> ItemLedgerEntryFilter:
        data = self.cleaned_data
        return ItemLedgerEntryFilter(
            item=_text(data, "item"),
            location=_text(data, "location"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            entry_type=data.get("entry_type", ""),
            document_no=_text(data, "document_no"),
            open=_yes_no(data.get("open", "")),
            register_no=data.get("register_no"),
        )


class ValueEntryFilterForm(DateRangeMixin, forms.Form):
    item = forms.CharField(label=_("Item no."), required=False, max_length=20)
    item_ledger_entry = forms.IntegerField(label=_("Item ledger entry no."), required=False, min_value=1)
    location = forms.CharField(label=_("Location code"), required=False, max_length=20)
    date_from = forms.DateField(label=_("Posting date from"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("Posting date to"), required=False, widget=DATE_INPUT)
    item_ledger_entry_type = forms.ChoiceField(
        label=_("Item ledger entry type"), required=False, choices=ANY + ItemLedgerEntryType.choices
    )
    entry_type = forms.ChoiceField(label=_("Entry type"), required=False, choices=ANY + ValueEntryType.choices)
    document_no = forms.CharField(label=_("Document no."), required=False, max_length=40)
    expected_cost = forms.ChoiceField(label=_("Expected cost"), required=False, choices=YES_NO)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].widget.attrs.update({"list": "item-list", "autocomplete": "off"})
        self.fields["location"].widget.attrs.update({"list": "location-list", "autocomplete": "off"})

    def to_filter(self) -> ValueEntryFilter:
        data = self.cleaned_data
        return ValueEntryFilter(
            item=_text(data, "item"),
            item_ledger_entry=data.get("item_ledger_entry"),
            location=_text(data, "location"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            entry_type=data.get("entry_type", ""),
            item_ledger_entry_type=data.get("item_ledger_entry_type", ""),
            document_no=_text(data, "document_no"),
            expected_cost=_yes_no(data.get("expected_cost", "")),
        )


class ApplicationEntryFilterForm(DateRangeMixin, forms.Form):
    item = forms.CharField(label=_("Item no."), required=False, max_length=20)
    item_ledger_entry = forms.IntegerField(label=_("Item ledger entry no."), required=False, min_value=1)
    date_from = forms.DateField(label=_("Posting date from"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("Posting date to"), required=False, widget=DATE_INPUT)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["item"].widget.attrs.update({"list": "item-list", "autocomplete": "off"})

    def to_filter(self) -> ApplicationEntryFilter:
        data = self.cleaned_data
        return ApplicationEntryFilter(
            item=_text(data, "item"),
            item_ledger_entry=data.get("item_ledger_entry"),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
        )


# ------------------------------------------------------------------------------------------------ item journal

ENTRY_TYPE_CHOICES = [(value, label) for value, label in ItemLedgerEntryType.choices if value in JOURNAL_TYPES]


SIZES = {
    "document_no": 10,
    "item": 10,
    "location": 6,
    "new_location": 6,
    "quantity": 8,
    "invoiced_quantity": 8,
    "unit_cost": 9,
    "applies_to_entry": 7,
    "applies_from_entry": 7,
    "unit_cost_revalued": 9,
    "inventory_value_revalued": 11,
}
ENTRY_NOS = {"applies_to_entry", "applies_from_entry"}
NUMBERS = {"quantity", "invoiced_quantity", "unit_cost", "unit_cost_revalued", "inventory_value_revalued"} | ENTRY_NOS


def _journal_widgets(form: forms.Form) -> None:
    """Narrow plain text boxes so a line fits the screen; numbers without spinners, typed as accountants do; items and
    locations suggested from the lists on the page."""
    for name in ("item", "location", "new_location"):
        if name in form.fields:
            form.fields[name].widget.attrs.update(
                {"list": "item-list" if name == "item" else "location-list", "autocomplete": "off"}
            )
    for name, size in SIZES.items():
        field = form.fields.get(name)
        if field is None:
            continue
        if name in NUMBERS:
            field.widget = forms.TextInput(attrs={"inputmode": "numeric" if name in ENTRY_NOS else "decimal"})
        field.widget.attrs["size"] = size


class JournalLineForm(forms.Form):
    """One item journal line. The posting service checks the books (items, locations, applications, periods)."""

    entry_type = forms.ChoiceField(label=_("Entry type"), choices=ENTRY_TYPE_CHOICES)
    posting_date = forms.DateField(label=_("Posting date"), widget=DATE_INPUT)
    document_no = forms.CharField(label=_("Document no."), max_length=40)
    item = forms.CharField(label=_("Item no."), max_length=20)
    location = forms.CharField(label=_("Location code"), required=False, max_length=20)
    new_location = forms.CharField(label=_("New location code"), required=False, max_length=20)
    quantity = forms.DecimalField(label=_("Quantity"), max_digits=20, decimal_places=QUANTITY_PLACES)
    invoiced_quantity = forms.DecimalField(
        label=_("Invoiced quantity"),
        required=False,
        max_digits=20,
        decimal_places=QUANTITY_PLACES,
        help_text=_("Blank: the whole quantity. 0: a receipt or shipment at expected cost."),
    )
    unit_cost = forms.DecimalField(
        label=_("Unit cost"), required=False, min_value=0, max_digits=20, decimal_places=UNIT_COST_PLACES
    )
    applies_to_entry = forms.IntegerField(label=_("Applies-to entry"), required=False, min_value=1)
    applies_from_entry = forms.IntegerField(label=_("Applies-from entry"), required=False, min_value=1)

    def __init__(self, *args, work_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        # A new line starts as a purchase on the work date; a line left like that is blank and skipped.
        self.fields["entry_type"].initial = ItemLedgerEntryType.PURCHASE
        self.fields["posting_date"].initial = work_date
        _journal_widgets(self)

    def to_line(self) -> JournalLine:
        data = self.cleaned_data
        return JournalLine(
            entry_type=data["entry_type"],
            posting_date=data["posting_date"],
            document_no=data["document_no"].strip(),
            item=data["item"].strip(),
            quantity=data["quantity"],
            location=_text(data, "location"),
            new_location=_text(data, "new_location"),
            invoiced_quantity=data.get("invoiced_quantity"),
            unit_cost=data.get("unit_cost"),
            applies_to_entry=data.get("applies_to_entry"),
            applies_from_entry=data.get("applies_from_entry"),
        )


class RevaluationLineForm(forms.Form):
    """One revaluation journal line (costing reference 4.6): an item, or one of its inbound entries, revalued on a date
    to a unit cost or to an inventory value. The posting service checks the books (revaluable quantity, periods)."""

    posting_date = forms.DateField(label=_("Posting date"), widget=DATE_INPUT)
    document_no = forms.CharField(label=_("Document no."), max_length=40)
    item = forms.CharField(label=_("Item no."), max_length=20)
    location = forms.CharField(
        label=_("Location code"), required=False, max_length=20, help_text=_("Blank: every location.")
    )
    applies_to_entry = forms.IntegerField(
        label=_("Applies-to entry"), required=False, min_value=1, help_text=_("Blank: every inbound entry of the item.")
    )
    unit_cost_revalued = forms.DecimalField(
        label=_("Unit cost (revalued)"), required=False, min_value=0, max_digits=20, decimal_places=UNIT_COST_PLACES
    )
    inventory_value_revalued = forms.DecimalField(
        label=_("Inventory value (revalued)"), required=False, min_value=0, max_digits=20, decimal_places=2
    )

    def __init__(self, *args, work_date=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["posting_date"].initial = work_date
        _journal_widgets(self)

    def to_line(self) -> RevaluationLine:
        data = self.cleaned_data
        location = data.get("location", "").strip()
        return RevaluationLine(
            item=data["item"].strip(),
            posting_date=data["posting_date"],
            document_no=data["document_no"].strip(),
            applies_to_entry=data.get("applies_to_entry"),
            location=location or None,
            unit_cost_revalued=data.get("unit_cost_revalued"),
            inventory_value_revalued=data.get("inventory_value_revalued"),
        )


class BaseJournalFormSet(forms.BaseFormSet):
    def lines(self) -> tuple[list[JournalLine], list[int]]:
        """The filled-in lines and, for each, the index of its form (blank lines are skipped)."""
        lines, positions = [], []
        for index, form in enumerate(self.forms):
            if form.has_changed() and form.cleaned_data:
                lines.append(form.to_line())
                positions.append(index)
        return lines, positions


JournalFormSet = forms.formset_factory(
    JournalLineForm, formset=BaseJournalFormSet, extra=2, min_num=1, max_num=500, validate_max=True
)


RevaluationFormSet = forms.formset_factory(
    RevaluationLineForm, formset=BaseJournalFormSet, extra=2, min_num=1, max_num=500, validate_max=True
)


class CancelDocumentForm(forms.Form):
    """Cancel a posted document (costing.cancel): which one, and optionally the corrections' posting date."""

    document_no = forms.CharField(label=_("Document no."), max_length=40)
    posting_date = forms.DateField(
        label=_("Posting date"),
        required=False,
        widget=DATE_INPUT,
        help_text=_(
            "Leave empty to date each correction like its entry; a later date for an entry in a closed period."
        ),
    )

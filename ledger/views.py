"""Ledger pages: the chart of accounts and the G/L entries. Reads only; posting goes through the services."""

from django import forms
from django.contrib.auth.decorators import permission_required
from django.utils.translation import gettext_lazy as _

from core.pages import paginate, render_list
from core.permissions import VIEW
from ledger.selectors_pages import (
    GLEntryFilter,
    accounts_with_balance,
    gl_entries,
    gl_entry_totals,
    posting_accounts,
)

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class ChartOfAccountsFilterForm(forms.Form):
    as_of = forms.DateField(label=_("Balance at date"), required=False, widget=DATE_INPUT)


class GLEntryFilterForm(forms.Form):
    gl_account = forms.CharField(label=_("G/L account no."), required=False, max_length=20)
    date_from = forms.DateField(label=_("Posting date from"), required=False, widget=DATE_INPUT)
    date_to = forms.DateField(label=_("Posting date to"), required=False, widget=DATE_INPUT)
    document_no = forms.CharField(label=_("Document no."), required=False, max_length=40)
    transaction_no = forms.IntegerField(label=_("Transaction no."), required=False, min_value=1)
    register_no = forms.IntegerField(label=_("Register no."), required=False, min_value=1)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        # Typing an account number is fastest; the list offers the numbers with their names.
        self.fields["gl_account"].widget.attrs.update({"list": "gl-account-list", "autocomplete": "off"})

    def clean(self):
        cleaned = super().clean()
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("The end date is before the start date."))
        return cleaned

    def to_filter(self) -> GLEntryFilter:
        data = self.cleaned_data
        return GLEntryFilter(
            gl_account=data.get("gl_account", "").strip(),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            document_no=data.get("document_no", "").strip(),
            transaction_no=data.get("transaction_no"),
            register_no=data.get("register_no"),
        )


@permission_required(VIEW, raise_exception=True)
def chart_of_accounts(request):
    form = ChartOfAccountsFilterForm(request.GET or None)
    as_of = form.cleaned_data.get("as_of") if form.is_valid() else None
    accounts = list(accounts_with_balance(as_of=as_of))
    total = sum((account.balance for account in accounts), start=0)
    context = {"form": form, "accounts": accounts, "total": total, "as_of": as_of}
    return render_list(request, "ledger/chart_of_accounts.html", "ledger/_chart_of_accounts_table.html", context)


@permission_required(VIEW, raise_exception=True)
def gl_entry_list(request):
    form = GLEntryFilterForm(request.GET or None)
    # Invalid filters show their errors and no rows, never every entry as if nothing had been asked.
    valid = form.is_valid() if form.is_bound else True
    context = {"form": form, "valid": valid, "accounts": posting_accounts()}
    if valid:
        entries = gl_entries(form.to_filter() if form.is_bound else GLEntryFilter())
        totals = gl_entry_totals(entries)
        context["totals"] = totals
        context["page_obj"] = paginate(request, entries, count=totals["count"])
    return render_list(request, "ledger/gl_entries.html", "ledger/_gl_entries_table.html", context)

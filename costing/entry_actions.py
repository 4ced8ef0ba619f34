"""Pages that post on one item ledger entry: invoice it, or assign an item charge to it.

The browser twins of POST /api/v1/item-ledger-entries/<no>/invoice/ and .../item-charges/ (costing.api InvoiceView and
ItemChargeView): the same services, costing.posting.invoice_item_ledger_entry and post_item_charge, the same refusals.
"""

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import BooksError
from core.money import AMOUNT_PLACES, QUANTITY_PLACES, UNIT_COST_PLACES
from core.permissions import POST
from costing.forms import DATE_INPUT
from costing.models import ItemLedgerEntry
from costing.posting import invoice_item_ledger_entry, post_item_charge
from costing.selectors_pages import with_cost_amounts


class EntryPostingForm(forms.Form):
    """What every posting on an entry needs: its posting date (today unless changed) and its document no."""

    posting_date = forms.DateField(label=gettext_lazy("Posting date"), widget=DATE_INPUT)
    document_no = forms.CharField(label=gettext_lazy("Document no."), max_length=40)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["posting_date"].initial = timezone.localdate()


class InvoiceEntryForm(EntryPostingForm):
    quantity = forms.DecimalField(
        label=gettext_lazy("Quantity to invoice"),
        required=False,
        max_digits=20,
        decimal_places=QUANTITY_PLACES,
        help_text=gettext_lazy("Leave empty to invoice all that is not yet invoiced."),
    )
    unit_cost = forms.DecimalField(
        label=gettext_lazy("Unit cost"),
        required=False,
        min_value=0,
        max_digits=20,
        decimal_places=UNIT_COST_PLACES,
        help_text=gettext_lazy("The invoiced direct unit cost; leave empty to invoice at the cost it was received at."),
    )

    def __init__(self, *args, inbound: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if not inbound:
            # An outbound entry takes its cost from the inbound entries it is applied to: nothing to type.
            del self.fields["unit_cost"]


class ItemChargeForm(EntryPostingForm):
    amount = forms.DecimalField(
        label=gettext_lazy("Amount"),
        max_digits=20,
        decimal_places=AMOUNT_PLACES,
        help_text=gettext_lazy("The charge (freight, duty, handling) added to the entry's actual cost."),
    )


def _entry_or_404(entry_no: int) -> ItemLedgerEntry:
    """The entry with its expected and actual cost (sums over its value entries)."""
    entry = with_cost_amounts(ItemLedgerEntry.objects.filter(entry_no=entry_no).select_related("item")).first()
    if entry is None:
        raise Http404(_("Item ledger entry %(no)s does not exist.") % {"no": entry_no})
    entry.left_to_invoice = entry.quantity - entry.invoiced_quantity
    return entry


def _attach_errors(form: forms.Form, error: BooksError) -> list[str]:
    """Put the service's errors on the fields they name; return what the page says above the form (the refusal
    itself when no field carries it, and the messages of paths that are no field of the form)."""
    placed, problems = set(), []
    for path, texts in error.errors.items():
        for text in texts if isinstance(texts, list | tuple) else [texts]:
            if path in form.fields:
                form.add_error(path, str(text))
                placed.add(str(text))
            elif str(text) != error.message:
                problems.append(str(text))
    if error.message not in placed:
        problems.insert(0, error.message)
    return problems


def _entry_page(request, entry, form, post, success: str, template: str):
    """The page of a posting on ``entry``: ``form`` (None: nothing can be posted on this entry, the page says why)
    posted through ``post(**cleaned_data)`` on a valid POST; success goes back to the entry with ``success`` (a
    message with ``no`` and ``register``); a refusal stays on the page with the service's reasons and status code
    (400 or 409), an invalid form with 400."""
    problems: list[str] = []
    status = 200
    if form is not None and request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                result = post(**form.cleaned_data)
            except BooksError as error:
                problems, status = _attach_errors(form, error), error.status_code
            else:
                messages.success(request, success % {"no": entry.entry_no, "register": result.register.no})
                return redirect(reverse("item-ledger-entry", args=[entry.entry_no]))
    return render(request, template, {"entry": entry, "form": form, "problems": problems}, status=status)


@permission_required(POST, raise_exception=True)
def invoice_entry(request, entry_no):
    """Post the invoice of a received or shipped line (Business Central: a purchase or sales line shipped or received
    first, invoiced later). The receipt was valued at expected cost; the invoice reverses that for the quantity it
    invoices and books the actual cost, at the invoiced unit cost for a purchase. Without this page an accountant had
    to call the API (POST /api/v1/item-ledger-entries/<no>/invoice/)."""
    entry = _entry_or_404(entry_no)
    data = request.POST if request.method == "POST" else None
    form = None if entry.completely_invoiced else InvoiceEntryForm(data, inbound=entry.positive)
    return _entry_page(
        request,
        entry,
        form,
        lambda **fields: invoice_item_ledger_entry(entry_no, user=request.user, **fields),
        _("Item ledger entry %(no)s invoiced (item register %(register)d)."),
        "costing/invoice_entry.html",
    )


@permission_required(POST, raise_exception=True)
def item_charge(request, entry_no):
    """Assign an item charge to a receipt (Business Central: a purchase invoice line of type Charge (Item), such as
    freight or duty, assigned to the receipt line it belongs to). The charge is a direct cost value entry on the
    inbound entry, with no invoiced quantity, and Adjust Cost forwards it to whatever was taken out of that receipt.
    Without this page an accountant had to call the API (POST /api/v1/item-ledger-entries/<no>/item-charges/)."""
    entry = _entry_or_404(entry_no)
    form = ItemChargeForm(request.POST if request.method == "POST" else None) if entry.positive else None
    return _entry_page(
        request,
        entry,
        form,
        lambda **fields: post_item_charge(entry_no, user=request.user, **fields),
        _("Item charge posted to item ledger entry %(no)s (item register %(register)d)."),
        "costing/item_charge.html",
    )

"""Inventory pages: items, the item ledger, value and application entries, the drill-down and the item journal.

Lists read through costing.selectors_pages; the item journal posts through costing.posting.post_item_journal.
"""

import re
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from core.errors import BooksError
from core.money import round_unit_cost
from core.pages import paginate, render_list
from core.permissions import POST, VIEW
from costing import cancel
from costing.forms import (
    ApplicationEntryFilterForm,
    CancelDocumentForm,
    ItemFilterForm,
    ItemLedgerEntryFilterForm,
    JournalFormSet,
    RevaluationFormSet,
    ValueEntryFilterForm,
)
from costing.models import Item
from costing.posting import post_item_journal, post_revaluation_journal, revaluable_entries
from costing.selectors_pages import (
    APPLICATIONS_SHOWN,
    ApplicationEntryFilter,
    ItemFilter,
    ItemLedgerEntryFilter,
    ValueEntryFilter,
    application_entries,
    application_entry_totals,
    item_card,
    item_entries_latest_first,
    item_ledger_entries,
    item_ledger_entry_totals,
    item_suggestions,
    items_with_inventory,
    location_codes,
    trace_item_ledger_entry,
    value_entries,
    value_entry_totals,
)


def _filtered_list(request, form_class, empty_filter, rows, totals, template, partial, extra=None):
    """The list page pattern of docs/pages.md: filters in the URL, invalid filters show no rows, totals then a page."""
    form = form_class(request.GET or None)
    # Invalid filters show their errors and no rows, never every entry as if nothing had been asked.
    valid = form.is_valid() if form.is_bound else True
    context = {"form": form, "valid": valid, **(extra or {})}
    if valid:
        entries = rows(form.to_filter() if form.is_bound else empty_filter)
        context["totals"] = totals(entries)
        context["page_obj"] = paginate(request, entries, count=context["totals"]["count"])
    return render_list(request, template, partial, context)


@permission_required(VIEW, raise_exception=True)
def item_list(request):
    return _filtered_list(
        request,
        ItemFilterForm,
        ItemFilter(),
        items_with_inventory,
        lambda items: {"count": items.count()},
        "costing/items.html",
        "costing/_items_table.html",
    )


@permission_required(VIEW, raise_exception=True)
def item_detail(request, no):
    item = item_card(no)
    if item is None:
        raise Http404(_("Item %(no)s does not exist.") % {"no": no})
    context = {"item": item, "page_obj": paginate(request, item_entries_latest_first(item.no))}
    return render_list(request, "costing/item_card.html", "costing/_item_entries_table.html", context)


@permission_required(VIEW, raise_exception=True)
def item_ledger_entry_list(request):
    return _filtered_list(
        request,
        ItemLedgerEntryFilterForm,
        ItemLedgerEntryFilter(),
        item_ledger_entries,
        item_ledger_entry_totals,
        "costing/item_ledger_entries.html",
        "costing/_item_ledger_entries_table.html",
        {"items": item_suggestions(), "locations": location_codes()},
    )


@permission_required(VIEW, raise_exception=True)
def value_entry_list(request):
    return _filtered_list(
        request,
        ValueEntryFilterForm,
        ValueEntryFilter(),
        value_entries,
        value_entry_totals,
        "costing/value_entries.html",
        "costing/_value_entries_table.html",
        {"items": item_suggestions(), "locations": location_codes()},
    )


@permission_required(VIEW, raise_exception=True)
def application_entry_list(request):
    return _filtered_list(
        request,
        ApplicationEntryFilterForm,
        ApplicationEntryFilter(),
        application_entries,
        application_entry_totals,
        "costing/application_entries.html",
        "costing/_application_entries_table.html",
        {"items": item_suggestions()},
    )


@permission_required(VIEW, raise_exception=True)
def item_ledger_entry_detail(request, entry_no):
    trace = trace_item_ledger_entry(entry_no)
    if trace is None:
        raise Http404(_("Item ledger entry %(no)s does not exist.") % {"no": entry_no})
    return render(request, "costing/item_ledger_entry.html", {"trace": trace, "shown": APPLICATIONS_SHOWN})


# ------------------------------------------------------------------------------------------------ item journal

_LINE_PATH = re.compile(r"^lines\[(\d+)\](?:\.(\w+))?$")


def _attach_errors(formset, positions: list[int], error: BooksError) -> list[str]:
    """Put the service's errors (keyed ``lines[i].field``) on the form and field the user typed them in; return what
    the page says above the lines (the refusal itself when no line carries it)."""
    placed = set()
    for path, texts in error.errors.items():
        match = _LINE_PATH.match(path)
        if not match or int(match.group(1)) >= len(positions):
            continue
        form = formset.forms[positions[int(match.group(1))]]
        field = match.group(2) if match.group(2) in form.fields else None
        for text in texts if isinstance(texts, list | tuple) else [texts]:
            form.add_error(field, str(text))
            placed.add(str(text))
    return [] if error.message in placed else [error.message]


@permission_required(POST, raise_exception=True)
def item_journal(request):
    work_date = timezone.localdate()
    form_kwargs = {"work_date": work_date}
    refused = False
    problems: list[str] = []
    if request.method == "POST":
        formset = JournalFormSet(request.POST, prefix="lines", form_kwargs=form_kwargs)
        if formset.is_valid():
            lines, positions = formset.lines()
            try:
                result = post_item_journal(lines, user=request.user, work_date=work_date)
            except BooksError as error:
                problems = _attach_errors(formset, positions, error)
            else:
                count = len(result.item_ledger_entries)
                register = result.register.no
                messages.success(
                    request,
                    ngettext(
                        "Posted %(count)d item ledger entry (item register %(register)d).",
                        "Posted %(count)d item ledger entries (item register %(register)d).",
                        count,
                    )
                    % {"count": count, "register": register},
                )
                query = urlencode({"register_no": register})
                return redirect(f"{reverse('item-ledger-entries')}?{query}")
        refused = True
    else:
        formset = JournalFormSet(prefix="lines", form_kwargs=form_kwargs)
    context = {
        "formset": formset,
        "refused": refused,
        "problems": problems,
        "items": item_suggestions(),
        "locations": location_codes(),
    }
    return render(request, "costing/item_journal.html", context)


# ------------------------------------------------------------------------------------------- revaluation journal


@dataclass
class Calculated:
    """What a revaluation line would revalue (Business Central's Inventory Value (Calculated)): the revaluable
    quantity on its date, its value and the unit cost that gives."""

    quantity: Decimal
    value: Decimal

    @property
    def unit_cost(self) -> Decimal | None:
        return round_unit_cost(self.value / self.quantity) if self.quantity else None


def _calculate(form) -> Calculated | None:
    """The line's revaluable quantity and value (costing.posting.revaluable_entries, one query), or None with the
    problem on the form when its item does not exist."""
    line = form.to_line()
    item = Item.objects.filter(no=line.item).first()
    if item is None:
        form.add_error("item", _("Item %(no)s does not exist.") % {"no": line.item})
        return None
    rows = revaluable_entries(item, line.posting_date, line.location, line.applies_to_entry)
    return Calculated(sum((q for _n, q, _v in rows), Decimal(0)), sum((v for _n, _q, v in rows), Decimal(0)))


@permission_required(POST, raise_exception=True)
def revaluation_journal(request):
    """The revaluation journal (costing reference 4.6): "Calculate" shows each line's revaluable quantity and its
    inventory value on the line's date, as Business Central's Calculate Inventory Value fills its lines in; "Post"
    posts every line in one transaction (costing.posting.post_revaluation_journal), or nothing."""
    work_date = timezone.localdate()
    form_kwargs = {"work_date": work_date}
    refused, problems, status = False, [], 200
    calculated: dict[int, Calculated | None] = {}
    if request.method == "POST":
        formset = RevaluationFormSet(request.POST, prefix="lines", form_kwargs=form_kwargs)
        if formset.is_valid():
            lines, positions = formset.lines()
            if request.POST.get("action") != "post":
                # Calculate (also the Enter key's default button): nothing is posted without the Post button.
                calculated = {index: _calculate(formset.forms[index]) for index in positions}
            else:
                try:
                    result = post_revaluation_journal(lines, user=request.user)
                except BooksError as error:
                    problems, status = _attach_errors(formset, positions, error), error.status_code
                    refused = True
                else:
                    count = len(result.value_entries)
                    messages.success(
                        request,
                        ngettext(
                            "Posted %(count)d revaluation value entry (item register %(register)d).",
                            "Posted %(count)d revaluation value entries (item register %(register)d).",
                            count,
                        )
                        % {"count": count, "register": result.register.no},
                    )
                    query = {"entry_type": "revaluation"}
                    documents = {line.document_no for line in lines}
                    if len(documents) == 1:
                        query["document_no"] = documents.pop()
                    return redirect(f"{reverse('value-entries')}?{urlencode(query)}")
        else:
            refused, status = True, 400
    else:
        formset = RevaluationFormSet(prefix="lines", form_kwargs=form_kwargs)
    context = {
        "formset": formset,
        "lines": [(form, calculated.get(index)) for index, form in enumerate(formset.forms)],
        "calculated": bool(calculated),
        "refused": refused,
        "problems": problems,
        "items": item_suggestions(),
        "locations": location_codes(),
    }
    return render(request, "costing/revaluation_journal.html", context, status=status)


# -------------------------------------------------------------------------------------------- cancel a document


@permission_required(POST, raise_exception=True)
def cancel_document(request):
    """Cancel a posted document: the preview lists its entries and what reverses each (or why it cannot be); the
    button posts every correction in one transaction (costing.cancel)."""
    data = request.POST if request.method == "POST" else (request.GET if "document_no" in request.GET else None)
    form = CancelDocumentForm(data)
    reversals, problems = None, []
    if form.is_valid():
        document_no, posting_date = form.cleaned_data["document_no"], form.cleaned_data["posting_date"]
        try:
            if request.method == "POST":
                result = cancel.cancel_document(document_no, posting_date=posting_date, user=request.user)
                count = len(result.item_ledger_entries)
                messages.success(
                    request,
                    ngettext(
                        "Document %(no)s cancelled: %(count)d correction entry posted (item register %(register)d).",
                        "Document %(no)s cancelled: %(count)d correction entries posted (item register %(register)d).",
                        count,
                    )
                    % {"no": document_no, "count": count, "register": result.register.no},
                )
                return redirect(f"{reverse('item-ledger-entries')}?{urlencode({'document_no': document_no})}")
            reversals = cancel.plan(document_no, posting_date)
        except BooksError as error:
            problems = [error.message, *(m for messages_ in error.errors.values() for m in messages_)]
            if request.method == "POST":
                reversals = _plan_or_none(document_no, posting_date)
    context = {
        "form": form,
        "reversals": reversals,
        "cancellable": reversals is not None and cancel.cancellable(reversals),
        "problems": problems,
    }
    return render(request, "costing/cancel_document.html", context, status=409 if problems and reversals else 200)


def _plan_or_none(document_no, posting_date):
    try:
        return cancel.plan(document_no, posting_date)
    except BooksError:
        return None

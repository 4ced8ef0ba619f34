"""Inventory period pages: the periods (create, delete, close, reopen, each confirmed on a page that says what will
happen), the close test, the close and reopen log with each close's log, and the controller's close checklist.

Reading needs ``view_books``; period changes need ``close_periods``; the checklist's Adjust Cost and Post Inventory
Cost to G/L buttons need ``run_jobs``. Every change goes through ``periods.services`` (or the costing batch jobs).
"""

from datetime import date

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import BooksError
from core.pages import paginate
from core.permissions import CLOSE_PERIODS, RUN_JOBS, VIEW
from costing import gl_posting
from costing.adjustment import adjust_cost
from costing.models import Item, PostValueEntryToGL
from periods import selectors, services
from periods.models import InventoryPeriod

DATE_INPUT = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
ADJUSTMENT_CODES = {"item_not_adjusted", "avg_cost_entry_point_not_adjusted", "applied_entry_to_adjust"}


class PeriodForm(forms.Form):
    ending_date = forms.DateField(label=gettext_lazy("Ending date"), widget=DATE_INPUT)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=50, required=False)


class ChecklistForm(forms.Form):
    period = forms.TypedChoiceField(label=gettext_lazy("Inventory period"), coerce=date.fromisoformat)

    def __init__(self, *args, periods=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["period"].choices = [
            (p.ending_date.isoformat(), f"{p.ending_date.isoformat()} {p.name}".strip()) for p in periods
        ]


def _period_or_404(ending_date: str) -> InventoryPeriod:
    try:
        day = date.fromisoformat(ending_date)
    except ValueError:
        raise Http404(_("There is no inventory period ending %(date)s.") % {"date": ending_date}) from None
    period = selectors.inventory_periods().filter(ending_date=day).first()
    if period is None:
        raise Http404(_("There is no inventory period ending %(date)s.") % {"date": day})
    return period


# ----------------------------------------------------------------------------------------------------- the periods


@permission_required(VIEW, raise_exception=True)
def period_list(request):
    form = PeriodForm()
    if request.method == "POST":
        if not request.user.has_perm(CLOSE_PERIODS):
            raise PermissionDenied
        form = PeriodForm(request.POST)
        if form.is_valid():
            try:
                period = services.create_period(
                    ending_date=form.cleaned_data["ending_date"], name=form.cleaned_data["name"], user=request.user
                )
            except BooksError as error:
                form.add_error("ending_date", error.message)
            else:
                messages.success(request, _("Inventory period ending %(date)s created.") % {"date": period.ending_date})
                return redirect("inventory-periods")
    context = {
        "periods": selectors.inventory_periods(),
        "form": form,
        "can_change": request.user.has_perm(CLOSE_PERIODS),
        "last_closed": selectors.last_closed_ending_date(),
    }
    return render(request, "periods/periods.html", context)


@permission_required(CLOSE_PERIODS, raise_exception=True)
def period_delete(request, ending_date):
    period = _period_or_404(ending_date)
    if request.method == "POST":
        try:
            services.delete_period(period.ending_date, user=request.user)
        except BooksError as error:
            messages.error(request, error.message)
        else:
            messages.success(request, _("Inventory period ending %(date)s deleted.") % {"date": period.ending_date})
        return redirect("inventory-periods")
    return render(request, "periods/confirm_delete.html", {"period": period})


@permission_required(CLOSE_PERIODS, raise_exception=True)
def period_close(request, ending_date):
    """The confirmation says what closing does, which earlier open periods close with it, and what the close test
    finds; the close itself runs the test again under its locks."""
    period = _period_or_404(ending_date)
    problems = None
    status = 200
    if request.method == "POST":
        try:
            services.close_period(period.ending_date, user=request.user)
        except services.PeriodNotClean as refused:
            messages.error(request, refused.message)
            problems = refused.problems
            status = 409
        except BooksError as error:
            messages.error(request, error.message)
            return redirect("inventory-periods")
        else:
            messages.success(
                request, _("The inventory period ending %(date)s has been closed.") % {"date": period.ending_date}
            )
            return redirect("inventory-periods")
    test = selectors.close_test(period.ending_date)
    context = {
        "period": period,
        "also_closing": [p for p in selectors.open_periods_up_to(period.ending_date) if p != period],
        "test": test,
        "problems": problems if problems is not None else [p.as_dict() for p in test.problems],
    }
    return render(request, "periods/confirm_close.html", context, status=status)


@permission_required(CLOSE_PERIODS, raise_exception=True)
def period_reopen(request, ending_date):
    period = _period_or_404(ending_date)
    if request.method == "POST":
        try:
            services.reopen_period(period.ending_date, user=request.user)
        except BooksError as error:
            messages.error(request, error.message)
        else:
            messages.success(
                request, _("All inventory periods from %(date)s have been reopened.") % {"date": period.ending_date}
            )
        return redirect("inventory-periods")
    context = {"period": period, "reopening": selectors.closed_periods_from(period.ending_date)}
    return render(request, "periods/confirm_reopen.html", context)


@permission_required(VIEW, raise_exception=True)
def close_test(request, ending_date):
    period = _period_or_404(ending_date)
    return render(
        request, "periods/close_test.html", {"period": period, "test": selectors.close_test(period.ending_date)}
    )


# ---------------------------------------------------------------------------------------------------------- the log


@permission_required(VIEW, raise_exception=True)
def entry_list(request):
    return render(request, "periods/entries.html", {"page_obj": paginate(request, selectors.period_entries())})


@permission_required(VIEW, raise_exception=True)
def entry_detail(request, entry_no):
    entry = selectors.period_entries().filter(entry_no=entry_no).first()
    if entry is None:
        raise Http404(_("There is no inventory period entry %(no)s.") % {"no": entry_no})
    context = {"entry": entry, "page_obj": paginate(request, selectors.close_log_lines(entry_no))}
    return render(request, "periods/entry.html", context)


# ---------------------------------------------------------------------------------------------- the close checklist


@permission_required(VIEW, raise_exception=True)
def close_checklist(request):
    periods = list(selectors.inventory_periods())
    form = ChecklistForm(request.GET or None, periods=periods)
    period = None
    if form.is_bound and form.is_valid():
        period = next(p for p in periods if p.ending_date == form.cleaned_data["period"])
    elif not form.is_bound:
        period = next((p for p in periods if not p.closed), None)
        if period is not None:
            form = ChecklistForm(initial={"period": period.ending_date.isoformat()}, periods=periods)
    context = {"form": form, "period": period, "can_run": request.user.has_perm(RUN_JOBS)}
    if period is not None:
        context.update(_checklist(period))
    return render(request, "periods/close_checklist.html", context)


def _checklist(period: InventoryPeriod) -> dict:
    end = period.ending_date
    test = selectors.close_test(end)
    unadjusted = [p for p in test.problems if p.code in ADJUSTMENT_CODES]
    unposted = PostValueEntryToGL.objects.filter(posting_date__lte=end).count()
    recon = selectors.reconciliation(end)
    last_adjusted = Item.objects.order_by("-last_adjusted_at").values_list("last_adjusted_at", flat=True).first()
    return {
        "test": test,
        "unadjusted": unadjusted,
        "unposted": unposted,
        "reconciliation": recon,
        "last_adjusted": last_adjusted,
        "steps_done": {
            "adjust": not unadjusted,
            "post": unposted == 0,
            "reconcile": recon.difference == 0,
            "test": test.clean,
            "close": period.closed,
        },
    }


def _back_to_checklist(request):
    period = request.POST.get("period", "")
    url = reverse("close-checklist")
    return redirect(f"{url}?period={period}" if period else url)


@require_POST
@permission_required(RUN_JOBS, raise_exception=True)
def checklist_adjust_cost(request):
    report = adjust_cost(user=request.user)
    messages.success(
        request,
        _("Adjust Cost - Item Entries adjusted %(items)s items and created %(entries)s value entries.")
        % {"items": len(report.items_adjusted), "entries": len(report.value_entries)},
    )
    for item_no, error in sorted(report.errors.items()):
        messages.error(request, _("Item %(item)s was not adjusted: %(error)s") % {"item": item_no, "error": error})
    return _back_to_checklist(request)


@require_POST
@permission_required(RUN_JOBS, raise_exception=True)
def checklist_post_to_gl(request):
    try:
        report = gl_posting.run_post_inventory_cost_to_gl(method="per_entry", user=request.user)
    except BooksError as error:
        messages.error(request, error.message)
    else:
        messages.success(
            request,
            _("Post Inventory Cost to G/L posted %(count)s value entries; %(skipped)s were skipped.")
            % {"count": report.posted_value_entries, "skipped": len(report.skipped)},
        )
    return _back_to_checklist(request)

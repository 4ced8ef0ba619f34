"""Batch job pages: Inventory Cost Adjustment (costing reference 6.3) and Post Inventory Cost to G/L (5.1, 5.2).

Reads go through costing.selectors_batch, the exclusion switch through costing.services_batch. Both batch jobs start
through ``jobs.services.start_run`` (one active run per lock group, a worker or a thread of the web process runs it);
the page then polls a progress partial every second, and when the run has finished the partial asks htmx to reload
the page, which shows the result read back from the run (``JobRun.result``, the report's ``as_dict()``). The test
report posts nothing and is computed in the request. Viewing needs ``core.view_books``; running a job and excluding
items need ``core.run_jobs``.
"""

from urllib.parse import urlencode

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from core.errors import BooksError
from core.pages import paginate, render_list
from core.permissions import RUN_JOBS, VIEW
from costing import gl_posting
from costing.exports import FORMATS, Sheet, export_response
from costing.forms_batch import AdjustmentFilterForm, ExclusionForm, PostOptionsForm, RunAdjustmentForm
from costing.models import Item
from costing.selectors_batch import (
    AdjustmentFilter,
    adjustment_items,
    adjustment_summary,
    entry_points,
    queue_summary,
    report_view,
    test_report,
)
from costing.services_batch import set_excluded_from_adjustment
from jobs import selectors as job_selectors
from jobs import services as job_services
from jobs.models import Job, JobRun

# ------------------------------------------------------------------------------------------------- job runs


def _start(request, job: str, parameters: dict) -> JobRun | None:
    """Start a run; on a refusal (bad parameters, a run already active) say why and return None."""
    try:
        return job_services.start_run(job, parameters, user=request.user)
    except BooksError as error:
        messages.error(request, error.message)
        return None


def _run_of(job: str, run_id: int) -> JobRun:
    run = JobRun.objects.select_related("requested_by").filter(pk=run_id, job=job).first()
    if run is None:
        raise Http404(_("Job run %(id)s does not exist.") % {"id": run_id})
    run.percent = int(run.progress * 100)
    return run


def _progress_response(request, template: str, context: dict):
    """The polled progress partial. When a poll finds the run finished, htmx reloads the whole page, which then
    shows the result (and, on the adjustment page, the items as they are now)."""
    response = render(request, template, context)
    if request.headers.get("HX-Request") and not context["run"].is_active:
        response["HX-Refresh"] = "true"
    return response


# ---------------------------------------------------------------------------------------- cost adjustment


def _back_to_list(request):
    """The adjustment page with the filters the user came from (sent back as ``return_query``)."""
    query = request.POST.get("return_query", "")
    return redirect(reverse("cost-adjustment") + (f"?{query}" if query else ""))


def _latest(job: str) -> JobRun | None:
    runs = job_selectors.latest_runs(job, limit=1)
    if not runs:
        return None
    runs[0].percent = int(runs[0].progress * 100)
    return runs[0]


@permission_required(VIEW, raise_exception=True)
def cost_adjustment(request):
    form = AdjustmentFilterForm(request.GET or None)
    valid = form.is_valid() if form.is_bound else True
    context = {
        "form": form,
        "valid": valid,
        "summary": adjustment_summary(),
        "can_run": request.user.has_perm(RUN_JOBS),
        "return_query": request.GET.urlencode(),
        "last_run": _latest(Job.ADJUST_COST),
        "last_success": job_selectors.last_successful_run(Job.ADJUST_COST),
    }
    if valid:
        items = adjustment_items(form.to_filter() if form.is_bound else AdjustmentFilter())
        context["count"] = items.count()
        context["page_obj"] = paginate(request, items, count=context["count"])
    return render_list(request, "costing/batch/cost_adjustment.html", "costing/batch/_adjustment_items.html", context)


@require_POST
@permission_required(RUN_JOBS, raise_exception=True)
def run_cost_adjustment(request):
    form = RunAdjustmentForm(request.POST)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return _back_to_list(request)
    parameters = {"items": form.items_to_run(), "post_to_gl": form.cleaned_data["post_to_gl"]}
    run = _start(request, Job.ADJUST_COST, parameters)
    if run is not None:
        messages.info(request, _("Cost adjustment started (run %(id)s).") % {"id": run.pk})
    return _back_to_list(request)


@permission_required(VIEW, raise_exception=True)
def cost_adjustment_progress(request, run_id):
    run = _run_of(Job.ADJUST_COST, run_id)
    return _progress_response(request, "costing/batch/_adjustment_run.html", {"run": run})


@require_POST
@permission_required(RUN_JOBS, raise_exception=True)
def change_exclusion(request):
    form = ExclusionForm(request.POST)
    if not form.is_valid():
        for error in form.errors.values():
            messages.error(request, " ".join(error))
        return _back_to_list(request)
    exclude = form.cleaned_data["action"] == "exclude"
    try:
        changed = set_excluded_from_adjustment(form.cleaned_data["items"], excluded=exclude)
    except BooksError as error:
        messages.error(request, error.message)
        return _back_to_list(request)
    if exclude:
        text = ngettext(
            "%(count)d item excluded from cost adjustment: %(items)s.",
            "%(count)d items excluded from cost adjustment: %(items)s.",
            len(changed),
        )
    else:
        text = ngettext(
            "%(count)d item included in cost adjustment again: %(items)s.",
            "%(count)d items included in cost adjustment again: %(items)s.",
            len(changed),
        )
    messages.success(request, text % {"count": len(changed), "items": ", ".join(changed) or "-"})
    return _back_to_list(request)


@permission_required(VIEW, raise_exception=True)
def item_entry_points(request, no):
    item = Item.objects.filter(no=no).first()
    if item is None:
        raise Http404(_("Item %(no)s does not exist.") % {"no": no})
    page_obj = paginate(request, entry_points(no))
    context = {"item": item, "page_obj": page_obj}
    return render_list(request, "costing/batch/entry_points.html", "costing/batch/_entry_points_table.html", context)


# ------------------------------------------------------------------------------------ post cost to G/L


def _report_sheets(view) -> list[Sheet]:
    """The report as export sheets: totals by account, the lines per value entry, the skipped entries."""
    by_account = Sheet(
        _("By account"),
        [_("G/L account"), _("Name"), _("Account type"), _("Amount")],
        [[r["gl_account"], r["name"], str(r["account_type_name"]), r["amount"]] for r in view.by_account],
        footer=[_("Total"), "", "", view.totals["balance"]],
    )
    lines = Sheet(
        _("Lines"),
        [
            _("Value entry no."),
            _("Item no."),
            _("Item ledger entry type"),
            _("Entry type"),
            _("Posting date"),
            _("Document no."),
            _("Cost"),
            _("Account type"),
            _("G/L account"),
            _("Amount"),
        ],
        [
            [
                entry["value_entry_no"],
                entry["entry"].item_id if entry["entry"] else "",
                entry["entry"].get_item_ledger_entry_type_display() if entry["entry"] else "",
                entry["entry"].get_entry_type_display() if entry["entry"] else "",
                line["posting_date"],
                line["document_no"],
                str(line["part_name"]),
                str(line["account_type_name"]),
                line["gl_account"],
                line["amount"],
            ]
            for entry in view.entries
            for line in entry["lines"]
        ],
        footer=[_("Total"), "", "", "", "", "", "", "", "", view.totals["balance"]],
    )
    skipped = Sheet(
        _("Skipped entries"),
        [
            _("Value entry no."),
            _("Item no."),
            _("Item ledger entry type"),
            _("Entry type"),
            _("Document no."),
            _("Posting date"),
            _("Location code"),
            _("Inventory posting group"),
            _("Expected cost"),
            _("Cost amount"),
            _("Reason"),
        ],
        [
            [
                row["value_entry_no"],
                row["entry"].item_id if row["entry"] else "",
                row["entry"].get_item_ledger_entry_type_display() if row["entry"] else "",
                row["entry"].get_entry_type_display() if row["entry"] else "",
                row["entry"].document_no if row["entry"] else "",
                row["entry"].posting_date if row["entry"] else None,
                (row["entry"].location_id or "") if row["entry"] else "",
                (row["entry"].inventory_posting_group_id or "") if row["entry"] else "",
                row["entry"].expected_cost if row["entry"] else None,
                row["cost_amount"],
                row["reason"],
            ]
            for row in view.skipped
        ],
    )
    return [by_account, lines, skipped]


def _export(request, view, filename):
    fmt = request.GET.get("format", "")
    if fmt not in FORMATS:
        raise Http404
    return export_response(fmt, _report_sheets(view), filename)


@permission_required(VIEW, raise_exception=True)
def post_inventory_cost(request):
    form = PostOptionsForm(initial={"posting_method": gl_posting.PER_ENTRY, "post": "no"})
    context = {
        "form": form,
        "queue": queue_summary(),
        "can_run": request.user.has_perm(RUN_JOBS),
        "last_run": _latest(Job.POST_INVENTORY_COST_TO_GL),
    }
    return render(request, "costing/batch/post_inventory_cost.html", context)


@permission_required(VIEW, raise_exception=True)
def post_inventory_cost_test(request):
    """The test report (5.2): every warning and the lines that would be posted; posts nothing."""
    form = PostOptionsForm(request.GET or None)
    context = {
        "form": form,
        "can_run": request.user.has_perm(RUN_JOBS),
        "queue": queue_summary(),
        "last_run": _latest(Job.POST_INVENTORY_COST_TO_GL),
    }
    if form.is_bound and form.is_valid():
        options = form.to_options()
        try:
            result = test_report(options)
        except BooksError as error:
            form.add_error(None, error.message)
        else:
            view = report_view(result)
            if "format" in request.GET:
                return _export(request, view, "post-inventory-cost-test-report")
            context.update(
                {
                    "report": view,
                    "test": True,
                    "queue": queue_summary(options),
                    "exportable": True,
                    "export_query": urlencode([(k, v) for k, v in request.GET.items() if k != "format"]),
                }
            )
    return render(request, "costing/batch/post_inventory_cost.html", context)


@require_POST
@permission_required(RUN_JOBS, raise_exception=True)
def run_post_inventory_cost(request):
    form = PostOptionsForm(request.POST)
    if form.is_valid():
        run = _start(request, Job.POST_INVENTORY_COST_TO_GL, form.to_options().job_parameters())
        if run is not None:
            return redirect("post-inventory-cost-run-report", run_id=run.pk)
    context = {
        "form": form,
        "can_run": True,
        "queue": queue_summary(),
        "last_run": _latest(Job.POST_INVENTORY_COST_TO_GL),
    }
    return render(request, "costing/batch/post_inventory_cost.html", context, status=400)


def _run_context(run: JobRun) -> dict:
    context = {"run": run, "exportable": run.status == "succeeded" and run.result is not None, "export_query": ""}
    if run.result is not None and run.status == "succeeded":
        context["report"] = report_view(run.result)
    return context


@permission_required(VIEW, raise_exception=True)
def post_inventory_cost_run(request, run_id):
    """A run of Post Inventory Cost to G/L: its progress while it goes, then its report; ``?format=csv|xlsx``."""
    run = _run_of(Job.POST_INVENTORY_COST_TO_GL, run_id)
    context = _run_context(run)
    if "format" in request.GET:
        if not context["exportable"]:
            raise Http404(_("This run has no report to export."))
        return _export(request, context["report"], f"post-inventory-cost-run-{run.pk}")
    return render(request, "costing/batch/post_inventory_cost_run.html", context)


@permission_required(VIEW, raise_exception=True)
def post_inventory_cost_run_progress(request, run_id):
    run = _run_of(Job.POST_INVENTORY_COST_TO_GL, run_id)
    return _progress_response(request, "costing/batch/_post_run_status.html", {"run": run})

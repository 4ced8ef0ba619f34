"""Reconciliation pages: the matrix with warnings, explanations and the balance chart; the drill-down behind each
figure; CSV/XLSX exports; a print view; and the button that posts the entries a difference is waiting for."""

from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.pages import paginate, render_list
from core.permissions import RUN_JOBS, VIEW
from reconciliation import exports, selectors, services
from reconciliation.chart import render_svg
from reconciliation.forms import DrilldownForm, ReconciliationFilterForm
from reconciliation.formulas import CELLS, COLUMN_NAMES, ROW_NAMES
from reconciliation.rows import columns, entry_row


def _matrix_context(request, form):
    valid = form.is_valid() if form.is_bound else True
    context = {"form": form, "valid": valid}
    if not valid:
        return context
    filters = form.to_filters() if form.is_bound else selectors.Filters()
    result = selectors.matrix(filters)
    table = []
    for row in result.rows:
        cells = []
        for column in result.columns:
            spec = CELLS[row].get(column)
            cell = {"column": column, "value": result.cell(row, column), "spec": spec}
            cell["warning"] = result.warnings.get(row, {}).get(column)
            if spec is not None and spec.line == "diff":
                cell["explanation"] = result.explanations.get(spec.field)
            cells.append(cell)
        table.append(
            {"key": row, "name": ROW_NAMES[row], "cells": cells, "summary": row in ("total", "gl_total", "difference")}
        )
    context.update(
        {
            "filters": filters,
            "result": result,
            "columns": [(c, COLUMN_NAMES[c]) for c in result.columns],
            "table": table,
            "explained": [
                {"row": ROW_NAMES[r["key"]], "column": COLUMN_NAMES[c["column"]], **c["explanation"]}
                for r in table
                for c in r["cells"]
                if c.get("explanation")
            ],
            "query": _query(filters),
        }
    )
    if not filters.narrowed:
        chart = selectors.daily_balances(filters)
        context["chart"] = chart
        context["chart_svg"] = render_svg(chart) if chart else ""
        if request.user.has_perm(RUN_JOBS):
            context["unposted"] = len(selectors.unposted_entry_numbers(filters))
    return context


def _query(filters) -> str:
    from django.http import QueryDict

    q = QueryDict(mutable=True)
    for key in ("date_from", "date_to"):
        value = getattr(filters, key)
        if value:
            q[key] = value.isoformat()
    for key in ("item", "location"):
        if getattr(filters, key):
            q[key] = getattr(filters, key)
    return q.urlencode()


@permission_required(VIEW, raise_exception=True)
def reconciliation(request):
    form = ReconciliationFilterForm(request.GET or None)
    context = _matrix_context(request, form)
    return render_list(request, "reconciliation/matrix.html", "reconciliation/_matrix.html", context)


@permission_required(VIEW, raise_exception=True)
def reconciliation_print(request):
    form = ReconciliationFilterForm(request.GET or None)
    return render(request, "reconciliation/print.html", _matrix_context(request, form))


@permission_required(VIEW, raise_exception=True)
def reconciliation_export(request, fmt):
    form = ReconciliationFilterForm(request.GET or None)
    if form.is_bound and not form.is_valid():
        return HttpResponseBadRequest(_("Correct the filters to export."))
    filters = form.to_filters() if form.is_bound else selectors.Filters()
    rows = exports.matrix_table(selectors.matrix(filters, explain=False))
    if fmt == "csv":
        return exports.csv_response(rows, "inventory-gl-reconciliation")
    if fmt == "xlsx":
        return exports.xlsx_response(rows, "inventory-gl-reconciliation", _("Reconciliation"))
    raise Http404


@require_POST
@permission_required(RUN_JOBS, raise_exception=True)
def post_unposted(request):
    form = ReconciliationFilterForm(request.POST)
    if not form.is_valid():
        return HttpResponseBadRequest(_("Correct the filters first."))
    filters = form.to_filters()
    report = services.post_unposted_entries(filters, user=request.user)
    messages.success(
        request,
        _("Posted %(entries)s value entries to the G/L (%(gl)s G/L entries).")
        % {"entries": report.posted_value_entries, "gl": len(report.gl_entries)},
    )
    for skipped in report.skipped:
        messages.warning(
            request,
            _("Value entry %(no)s was not posted: %(reason)s")
            % {"no": skipped.value_entry_no, "reason": skipped.reason},
        )
    query = _query(filters)
    target = reverse("reconciliation") + ("?" + query + "&show_warnings=on" if query else "?show_warnings=on")
    return redirect(target)


def _drilldown(request):
    form = DrilldownForm(request.GET or None)
    if not form.is_bound or not form.is_valid():
        return form, None, None
    data = form.cleaned_data
    try:
        dd = selectors.drilldown(form.to_filters(), data["row"], data["column"], data.get("kind") or "")
    except selectors.DrilldownError as exc:
        form.add_error(None, str(exc))
        return form, None, None
    return form, dd, form.to_filters()


@permission_required(VIEW, raise_exception=True)
def drilldown(request):
    form, dd, filters = _drilldown(request)
    context = {"form": form, "dd": dd}
    if dd is not None:
        page_obj = paginate(request, dd.queryset, count=dd.count)
        context.update(
            {
                "page_obj": page_obj,
                "rows": [entry_row(e) for e in page_obj],
                "columns": columns(dd.source),
                "row_name": ROW_NAMES[dd.row],
                "column_name": COLUMN_NAMES[dd.column],
                "query": _query(filters),
            }
        )
    return render_list(request, "reconciliation/drilldown.html", "reconciliation/_drilldown.html", context)


@permission_required(VIEW, raise_exception=True)
def drilldown_export(request, fmt):
    form, dd, _filters = _drilldown(request)
    if dd is None:
        return HttpResponseBadRequest(_("Correct the filters to export."))
    name = f"reconciliation-{dd.row}-{dd.column}{'-' + dd.kind if dd.kind else ''}"
    if fmt == "csv":
        return exports.csv_response(exports.drilldown_rows(dd), name)
    if fmt == "xlsx":
        return exports.xlsx_response(exports.drilldown_rows(dd), name, _("Entries"))
    raise Http404

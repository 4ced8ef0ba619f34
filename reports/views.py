"""Report pages: an index, and one page per report with its filters in the URL (htmx swaps the results), the
Inventory Valuation chart, and ``?format=csv|xlsx|pdf`` downloads of exactly what the page shows."""

from django.contrib.auth.decorators import permission_required
from django.http import Http404, HttpResponseBadRequest
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.pages import render_list
from core.permissions import VIEW
from reports import selectors
from reports.chart import render_svg
from reports.exports import FORMATS, report_response
from reports.forms import FORMS

DESCRIPTIONS = {
    "inventory-valuation": (
        gettext_lazy("Inventory Valuation"),
        gettext_lazy(
            "Opening and closing quantity and value per item and location, with increases and decreases in the "
            "period; compared with the Inventory G/L accounts."
        ),
    ),
    "inventory-valuation-cost-spec": (
        gettext_lazy("Invt. Valuation - Cost Spec."),
        gettext_lazy("The value on hand at a date per item, by value entry type, actual and expected cost."),
    ),
    "inventory-valuation-wip": (
        gettext_lazy("Inventory Valuation - WIP"),
        gettext_lazy("Per production order: opening WIP, consumption, capacity, output and closing WIP."),
    ),
    "cost-shares-breakdown": (
        gettext_lazy("Cost Shares Breakdown"),
        gettext_lazy(
            "The cost of items sold or produced, split into material, capacity, overhead, subcontracting, variances "
            "and revaluation."
        ),
    ),
    "inventory-as-of": (
        gettext_lazy("Inventory as of a date"),
        gettext_lazy("Quantity and value per item and location at any date, by valuation date or posting date."),
    ),
}


@permission_required(VIEW, raise_exception=True)
def index(request):
    return render(
        request,
        "reports/index.html",
        {"reports": [{"key": k, "title": t, "description": d} for k, (t, d) in DESCRIPTIONS.items()]},
    )


@permission_required(VIEW, raise_exception=True)
def report(request, key):
    if key not in FORMS:
        raise Http404
    fmt = request.GET.get("format", "")
    query = request.GET.copy()
    query.pop("format", None)
    query.pop("page", None)
    form = FORMS[key](query or None)
    valid = form.is_valid() if form.is_bound else True
    if fmt:
        if fmt not in FORMATS:
            raise Http404
        if not valid:
            return HttpResponseBadRequest(_("Correct the filters to export."))
        return report_response(fmt, selectors.REPORTS[key](form.to_filters()))
    context = {"form": form, "valid": valid, "key": key, "title": DESCRIPTIONS[key][0], "query": query.urlencode()}
    if valid:
        filters = form.to_filters()
        result = selectors.REPORTS[key](filters)
        context["report"] = result
        context["table"] = [[(c, row.get(c.key)) for c in result.columns] for row in result.rows]
        context["footer"] = [(c, result.totals.get(c.key)) for c in result.columns]
        if key == "inventory-valuation":
            chart = selectors.valuation_chart(filters)
            context["chart_svg"] = render_svg(chart) if chart else ""
    return render_list(request, "reports/report.html", "reports/_report.html", context)

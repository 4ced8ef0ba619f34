"""REST API of the reconciliation (shared/spec/api.md): the matrix and the drill-down behind each figure."""

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework.exceptions import NotFound
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import Pagination
from core.forms import parse_query
from core.schema import form_parameters
from reconciliation import selectors
from reconciliation.forms import DrilldownForm, ReconciliationFilterForm
from reconciliation.rows import as_json, entry_row


@extend_schema(
    tags=["reconciliation"],
    parameters=form_parameters(ReconciliationFilterForm),
    responses={200: OpenApiTypes.OBJECT},
)
class MatrixView(APIView):
    """Inventory - G/L Reconciliation matrix. Amounts are decimal strings; cells the layout leaves empty are null.

    Each row also carries ``explanations``: for every non-zero Difference cell, the causes with the entries behind
    them and the amount each contributes; the causes add up to the difference.
    """

    def get(self, request):
        form = parse_query(ReconciliationFilterForm(request.query_params))
        return Response(selectors.matrix(form.to_filters()).as_dict())


@extend_schema(
    tags=["reconciliation"],
    parameters=form_parameters(DrilldownForm),
    responses={200: OpenApiTypes.OBJECT, 404: OpenApiResponse(description="The matrix shows no figure there.")},
)
class DrilldownView(APIView):
    """The value entries or G/L entries behind one figure, paginated. ``amount`` is each entry's share of the figure;
    ``total`` (all pages) equals ``cell``. A Difference figure lists the entries of one cause at a time (``kind``)."""

    def get(self, request):
        form = parse_query(DrilldownForm(request.query_params))
        data = form.cleaned_data
        try:
            dd = selectors.drilldown(form.to_filters(), data["row"], data["column"], data.get("kind") or "")
        except selectors.DrilldownError as exc:
            # The matrix shows no figure there (a cell the layout leaves empty, a G/L figure under an item or
            # location filter, a cause the figure does not have): nothing to drill into.
            raise NotFound(str(exc)) from exc
        paginator = Pagination()
        paginator.django_paginator_class = _counted(dd.count)
        page = paginator.paginate_queryset(dd.queryset, request, view=self)
        response = paginator.get_paginated_response([as_json(entry_row(e)) for e in page])
        response.data.update(
            {
                "row": dd.row,
                "column": dd.column,
                "source": dd.source,
                "kind": dd.kind,
                "kinds": [{"key": k, "name": str(n)} for k, n in dd.kinds],
                "cell": None if dd.cell is None else f"{dd.cell:.2f}",
                "total": f"{dd.total:.2f}",
                "not_traceable": f"{dd.other:.2f}",
            }
        )
        return response


def _counted(count):
    from core.pages import CountedPaginator

    class Paginator(CountedPaginator):
        def __init__(self, object_list, per_page, **kwargs):
            super().__init__(object_list, per_page, count=count, **kwargs)

    return Paginator

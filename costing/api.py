"""REST API of the inventory subledger: posting (item journal, invoices, item charges, revaluation), the three
ledgers (read-only), and the Post Inventory Cost to G/L test report (the job itself is in jobs.api).

Views are thin: parse input with a serializer, call one service, serialise what it returns. Every posting view runs
through ``IdempotentPostMixin``: one transaction, and an ``Idempotency-Key`` replays the first answer.
"""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import generics, status, viewsets
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from core.api import IdempotentPostMixin
from core.permissions import POST
from costing import cancel, gl_posting, posting, selectors
from costing.filters import ItemApplicationEntryFilter, ItemLedgerEntryFilter, ValueEntryFilter
from costing.serializers import (
    CancelDocumentSerializer,
    CancelPlanSerializer,
    InvoiceSerializer,
    ItemApplicationEntrySerializer,
    ItemChargeSerializer,
    ItemJournalPostSerializer,
    ItemLedgerEntrySerializer,
    PostingResultSerializer,
    PostInventoryCostToGLTestQuerySerializer,
    PostInventoryCostToGLTestReportSerializer,
    RevaluationJournalPostSerializer,
    ValueEntrySerializer,
    posting_result_data,
)
from ledger.api import ERROR_RESPONSES

POSTING_RESPONSES = {201: PostingResultSerializer, **ERROR_RESPONSES}

# ---------------------------------------------------------------------------------------------------------- ledgers


@extend_schema(tags=["ledgers"])
class ItemLedgerEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """Item ledger entries, read-only; addressed by entry number. Cost amounts are sums over the value entries."""

    serializer_class = ItemLedgerEntrySerializer
    queryset = selectors.item_ledger_entries()
    lookup_field = "entry_no"
    lookup_value_regex = r"[0-9]+"
    filterset_class = ItemLedgerEntryFilter
    ordering_fields = [
        "entry_no",
        "item",
        "posting_date",
        "entry_type",
        "document_no",
        "location",
        "quantity",
        "remaining_quantity",
        "cost_amount_actual",
        "cost_amount_expected",
    ]
    ordering = ["entry_no"]


@extend_schema(tags=["ledgers"])
class ValueEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """Value entries, read-only; addressed by entry number."""

    serializer_class = ValueEntrySerializer
    queryset = selectors.value_entries()
    lookup_field = "entry_no"
    lookup_value_regex = r"[0-9]+"
    filterset_class = ValueEntryFilter
    ordering_fields = [
        "entry_no",
        "item_ledger_entry",
        "item",
        "posting_date",
        "valuation_date",
        "entry_type",
        "document_no",
        "location",
        "cost_amount_actual",
        "cost_amount_expected",
    ]
    ordering = ["entry_no"]


@extend_schema(tags=["ledgers"])
class ItemApplicationEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """Item application entries, read-only: which inbound entry supplied which outbound entry."""

    serializer_class = ItemApplicationEntrySerializer
    queryset = selectors.item_application_entries()
    lookup_field = "entry_no"
    lookup_value_regex = r"[0-9]+"
    filterset_class = ItemApplicationEntryFilter
    ordering_fields = ["entry_no", "item_ledger_entry", "inbound_item_entry", "outbound_item_entry", "posting_date"]
    ordering = ["entry_no"]


# ---------------------------------------------------------------------------------------------------------- posting


def created(result: posting.PostingResult) -> Response:
    """201 with the entries a posting created, serialised as the ledger lists show them (from the posting's rows in
    memory, not read back: costing.serializers.posting_result_data)."""
    return Response(posting_result_data(result), status=status.HTTP_201_CREATED)


class ItemJournalPostView(IdempotentPostMixin, generics.GenericAPIView):
    """Post item journal lines: all in one transaction, in order. A bad line posts nothing and names the line."""

    write_permission = POST
    serializer_class = ItemJournalPostSerializer

    @extend_schema(tags=["posting"], responses=POSTING_RESPONSES, operation_id="item_journal_post")
    def post(self, request):
        return self.idempotent(request, lambda: self._post(request))

    def _post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        result = posting.post_item_journal(
            serializer.journal_lines(),
            user=request.user,
            work_date=serializer.validated_data["work_date"],
            describe=posting_result_data,
        )
        return Response(result.description, status=status.HTTP_201_CREATED)


class EntryPostingView(IdempotentPostMixin, generics.GenericAPIView):
    """A posting on one item ledger entry of the URL; an unknown entry number is a 404."""

    write_permission = POST

    def post(self, request, entry_no):
        return self.idempotent(request, lambda: self._post(request, entry_no))

    def _post(self, request, entry_no):
        if not selectors.item_ledger_entry_exists(entry_no):
            raise NotFound(gettext("Item ledger entry %(no)s does not exist.") % {"no": entry_no})
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return created(self.service(entry_no, user=request.user, **serializer.validated_data))


class InvoiceView(EntryPostingView):
    """Invoice a receipt or shipment posted with expected cost: reverses the expected cost, books the actual cost."""

    serializer_class = InvoiceSerializer
    service = staticmethod(posting.invoice_item_ledger_entry)

    @extend_schema(tags=["posting"], responses=POSTING_RESPONSES, operation_id="item_ledger_entry_invoice")
    def post(self, request, entry_no):
        return super().post(request, entry_no)


class ItemChargeView(EntryPostingView):
    """Assign an item charge (freight, duty) to an inbound entry: a direct cost value entry, no invoiced quantity."""

    serializer_class = ItemChargeSerializer
    service = staticmethod(posting.post_item_charge)

    @extend_schema(tags=["posting"], responses=POSTING_RESPONSES, operation_id="item_ledger_entry_item_charge")
    def post(self, request, entry_no):
        return super().post(request, entry_no)


NO_SUCH_DOCUMENT = OpenApiResponse(description=_("No item ledger entry carries this document no."))


class CancelDocumentView(IdempotentPostMixin, generics.GenericAPIView):
    """Cancel a posted document: GET previews, entry by entry, what cancelling would reverse (or why it cannot);
    POST posts a correction for each of its entries at that entry's cost, all or nothing (costing.cancel)."""

    write_permission = POST
    serializer_class = CancelDocumentSerializer

    @extend_schema(
        tags=["posting"],
        parameters=[
            OpenApiParameter("document_no", str, required=True),
            OpenApiParameter("posting_date", OpenApiTypes.DATE, required=False),
        ],
        responses={200: CancelPlanSerializer, 404: NO_SUCH_DOCUMENT, **ERROR_RESPONSES},
        operation_id="cancel_document_preview",
    )
    def get(self, request):
        query = self.get_serializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        document_no = query.validated_data["document_no"]
        reversals = cancel.plan(document_no, query.validated_data["posting_date"])
        data = {
            "document_no": document_no,
            "cancellable": cancel.cancellable(reversals),
            "entries": reversals,
        }
        return Response(CancelPlanSerializer(data).data)

    @extend_schema(
        tags=["posting"], responses={**POSTING_RESPONSES, 404: NO_SUCH_DOCUMENT}, operation_id="cancel_document"
    )
    def post(self, request):
        return self.idempotent(request, lambda: self._post(request))

    def _post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return created(cancel.cancel_document(user=request.user, **serializer.validated_data))


class RevaluationJournalPostView(IdempotentPostMixin, generics.GenericAPIView):
    """Post revaluation journal lines: revalue the revaluable quantity of one inbound entry or of the item."""

    write_permission = POST
    serializer_class = RevaluationJournalPostSerializer

    @extend_schema(tags=["posting"], responses=POSTING_RESPONSES, operation_id="revaluation_journal_post")
    def post(self, request):
        return self.idempotent(request, lambda: self._post(request))

    def _post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        return created(posting.post_revaluation_journal(serializer.revaluation_lines(), user=request.user))


# ---------------------------------------------------------------------------------------- Post Inventory Cost to G/L


class PostInventoryCostToGLTestView(generics.GenericAPIView):
    """Post Invt. Cost to G/L - Test: the lines a posting would make and every warning, without posting."""

    serializer_class = PostInventoryCostToGLTestQuerySerializer

    @extend_schema(
        tags=["reports"],
        parameters=[
            OpenApiParameter("posting_method", str, enum=["per_entry", "per_posting_group"]),
            OpenApiParameter("document_no", str, description=_("Required per posting group, refused per entry.")),
            OpenApiParameter("item", str, many=True, description=_("Only these items (repeat the parameter).")),
        ],
        responses={200: PostInventoryCostToGLTestReportSerializer, **ERROR_RESPONSES},
        operation_id="report_post_inventory_cost_to_gl_test",
    )
    def get(self, request):
        query = self.get_serializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        params = query.validated_data
        report = gl_posting.test_report(
            method=params["posting_method"], document_no=params["document_no"] or None, items=params["item"] or None
        )
        return Response(PostInventoryCostToGLTestReportSerializer(report).data)

"""REST API of the books: chart of accounts, general posting setup, the G/L setup, the G/L journal, G/L entries.

Views are thin: parse input with a serializer, call one service, serialise what it returns.
"""

from django.urls import path
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import generics, mixins, status, viewsets
from rest_framework.response import Response

from core.api import IdempotentPostMixin
from core.permissions import POST
from ledger import selectors, services, services_setup
from ledger.filters import GeneralPostingSetupFilter, GLAccountFilter, GLEntryFilter
from ledger.serializers import (
    GenBusinessPostingGroupSerializer,
    GeneralPostingSetupSerializer,
    GenProductPostingGroupSerializer,
    GLAccountSerializer,
    GLEntrySerializer,
    GLJournalPostSerializer,
    GLJournalResultSerializer,
    GLSetupSerializer,
)

ERROR_RESPONSES = {
    400: OpenApiResponse(description=_("Bad input: {detail, errors}, errors naming each field.")),
    403: OpenApiResponse(description=_("The role may not do this.")),
    409: OpenApiResponse(description=_("Conflict with the state of the books: {detail, code}.")),
}


class SetupViewSet(
    mixins.ListModelMixin,
    mixins.CreateModelMixin,
    mixins.RetrieveModelMixin,
    mixins.UpdateModelMixin,
    mixins.DestroyModelMixin,
    viewsets.GenericViewSet,
):
    """List, create, read, change and delete setup records; writes go through the app's setup services.

    Reading needs ``view_books``; every write needs ``manage_setup`` (RolePermission's default write permission).
    Subclasses name ``create_service``, ``update_service`` and ``delete_service`` (wrapped in ``staticmethod``).
    """

    create_service = None
    update_service = None
    delete_service = None

    def perform_create(self, serializer):
        serializer.instance = self.create_service(serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = self.update_service(serializer.instance, serializer.validated_data)

    def perform_destroy(self, instance):
        self.delete_service(instance)


def setup_routes(prefix: str, viewset, lookup: str, name: str, converter: str = "str") -> list:
    """The list and detail routes of a setup view set, as plain ``path()`` entries."""
    return [
        path(f"{prefix}/", viewset.as_view({"get": "list", "post": "create"}), name=f"{name}-list"),
        path(
            f"{prefix}/<{converter}:{lookup}>/",
            viewset.as_view({"get": "retrieve", "put": "update", "patch": "partial_update", "delete": "destroy"}),
            name=f"{name}-detail",
        ),
    ]


@extend_schema(tags=["setup"])
class GLAccountViewSet(SetupViewSet):
    serializer_class = GLAccountSerializer
    queryset = selectors.gl_accounts()
    lookup_field = "no"
    filterset_class = GLAccountFilter
    ordering_fields = ["no", "name", "income_balance", "account_type"]
    ordering = ["no"]
    create_service = staticmethod(services_setup.create_gl_account)
    update_service = staticmethod(services_setup.update_gl_account)
    delete_service = staticmethod(services_setup.delete_gl_account)


@extend_schema(tags=["setup"])
class GenBusinessPostingGroupViewSet(SetupViewSet):
    serializer_class = GenBusinessPostingGroupSerializer
    queryset = selectors.gen_business_posting_groups()
    lookup_field = "code"
    filterset_fields = ["code"]
    ordering_fields = ["code", "description"]
    ordering = ["code"]
    create_service = staticmethod(services_setup.create_gen_business_posting_group)
    update_service = staticmethod(services_setup.update_gen_business_posting_group)
    delete_service = staticmethod(services_setup.delete_gen_business_posting_group)


@extend_schema(tags=["setup"])
class GenProductPostingGroupViewSet(SetupViewSet):
    serializer_class = GenProductPostingGroupSerializer
    queryset = selectors.gen_product_posting_groups()
    lookup_field = "code"
    filterset_fields = ["code"]
    ordering_fields = ["code", "description"]
    ordering = ["code"]
    create_service = staticmethod(services_setup.create_gen_product_posting_group)
    update_service = staticmethod(services_setup.update_gen_product_posting_group)
    delete_service = staticmethod(services_setup.delete_gen_product_posting_group)


@extend_schema(tags=["setup"])
class GeneralPostingSetupViewSet(SetupViewSet):
    serializer_class = GeneralPostingSetupSerializer
    queryset = selectors.general_posting_setups()
    lookup_field = "id"
    filterset_class = GeneralPostingSetupFilter
    ordering_fields = ["id", "gen_bus_posting_group", "gen_prod_posting_group"]
    ordering = ["id"]
    create_service = staticmethod(services_setup.create_general_posting_setup)
    update_service = staticmethod(services_setup.update_general_posting_setup)
    delete_service = staticmethod(services_setup.delete_general_posting_setup)


@extend_schema(tags=["setup"])
class GLSetupView(generics.RetrieveUpdateAPIView):
    """The general ledger setup (a singleton): the range of allowed posting dates."""

    serializer_class = GLSetupSerializer
    http_method_names = ["get", "patch", "head", "options"]

    def get_object(self):
        return selectors.gl_setup()

    def perform_update(self, serializer):
        serializer.instance = services_setup.update_gl_setup(serializer.validated_data)


@extend_schema(tags=["ledgers"])
class GLEntryViewSet(viewsets.ReadOnlyModelViewSet):
    """G/L entries, read-only; addressed by entry number."""

    serializer_class = GLEntrySerializer
    queryset = selectors.gl_entries()
    lookup_field = "entry_no"
    lookup_value_regex = r"[0-9]+"
    filterset_class = GLEntryFilter
    ordering_fields = ["entry_no", "posting_date", "gl_account", "document_no", "amount"]
    ordering = ["entry_no"]


class GLJournalPostView(IdempotentPostMixin, generics.GenericAPIView):
    """Post a manual G/L journal. Lines with the same document no. and posting date form one balanced transaction."""

    write_permission = POST
    serializer_class = GLJournalPostSerializer

    @extend_schema(
        tags=["posting"],
        request=GLJournalPostSerializer,
        responses={201: GLJournalResultSerializer, **ERROR_RESPONSES},
        operation_id="gl_journal_post",
    )
    def post(self, request):
        return self.idempotent(request, lambda: self._post(request))

    def _post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        posted = services.post_gl_journal(serializer.validated_data["lines"], user=request.user)
        entries = selectors.gl_entries().filter(entry_no__in=[e.entry_no for e in posted.entries])
        body = GLJournalResultSerializer({"gl_entries": entries}).data
        return Response(body, status=status.HTTP_201_CREATED)

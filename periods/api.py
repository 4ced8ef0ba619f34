"""REST API of inventory periods (shared/spec/api.md, "Inventory periods").

Periods are addressed by their ending date (``YYYY-MM-DD``). Reading needs ``view_books``; every write (create,
rename, delete, close, reopen) needs ``close_periods`` (controller, admin). Views parse, call one service, serialise.
"""

from datetime import date

import django_filters
from django.http import Http404
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status
from rest_framework.response import Response
from rest_framework.views import APIView

from core.filters import BooleanFilter, FilterSet
from core.permissions import CLOSE_PERIODS
from ledger.api import ERROR_RESPONSES
from periods import selectors, services
from periods.models import InventoryPeriodEntry
from periods.serializers import (
    CloseTestSerializer,
    InventoryCloseLogLineSerializer,
    InventoryPeriodEntrySerializer,
    InventoryPeriodRenameSerializer,
    InventoryPeriodSerializer,
    PeriodActionResultSerializer,
)


def parse_ending_date(text: str) -> date:
    try:
        return date.fromisoformat(text)
    except ValueError:
        raise Http404(_("There is no inventory period ending %(date)s.") % {"date": text}) from None


class InventoryPeriodFilter(FilterSet):
    closed = BooleanFilter()
    ending_date_after = django_filters.DateFilter(field_name="ending_date", lookup_expr="gte")
    ending_date_before = django_filters.DateFilter(field_name="ending_date", lookup_expr="lte")


class InventoryPeriodEntryFilter(FilterSet):
    entry_type = django_filters.ChoiceFilter(choices=InventoryPeriodEntry.EntryType.choices)
    ending_date = django_filters.DateFilter()
    user = django_filters.CharFilter(field_name="user__username")


@extend_schema(tags=["inventory periods"])
class InventoryPeriodListView(generics.ListCreateAPIView):
    """Inventory periods, oldest first. Creating one refuses an ending date on or before a closed period (409)."""

    write_permission = CLOSE_PERIODS
    serializer_class = InventoryPeriodSerializer
    queryset = selectors.inventory_periods()
    filterset_class = InventoryPeriodFilter
    ordering_fields = ["ending_date", "name", "closed"]
    ordering = ["ending_date"]

    @extend_schema(responses={201: InventoryPeriodSerializer, **ERROR_RESPONSES})
    def post(self, request):
        serializer = InventoryPeriodSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        period = services.create_period(**serializer.validated_data, user=request.user)
        return Response(InventoryPeriodSerializer(period).data, status=status.HTTP_201_CREATED)


@extend_schema(tags=["inventory periods"])
class InventoryPeriodDetailView(APIView):
    """One period. PATCH renames it (refused when closed); DELETE removes an open period (a closed one: 409)."""

    write_permission = CLOSE_PERIODS

    def _get(self, ending_date):
        period = selectors.inventory_periods().filter(ending_date=parse_ending_date(ending_date)).first()
        if period is None:
            raise Http404(_("There is no inventory period ending %(date)s.") % {"date": ending_date})
        return period

    @extend_schema(responses={200: InventoryPeriodSerializer})
    def get(self, request, ending_date):
        return Response(InventoryPeriodSerializer(self._get(ending_date)).data)

    @extend_schema(
        request=InventoryPeriodRenameSerializer, responses={200: InventoryPeriodSerializer, **ERROR_RESPONSES}
    )
    def patch(self, request, ending_date):
        period = self._get(ending_date)
        # A PATCH changes what it names: without a name, the period stays as it is.
        serializer = InventoryPeriodRenameSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        if "name" in serializer.validated_data:
            period = services.rename_period(
                period.ending_date, name=serializer.validated_data["name"], user=request.user
            )
        return Response(InventoryPeriodSerializer(period).data)

    @extend_schema(responses={204: None, **ERROR_RESPONSES})
    def delete(self, request, ending_date):
        period = self._get(ending_date)
        services.delete_period(period.ending_date, user=request.user)
        return Response(status=status.HTTP_204_NO_CONTENT)


def _action_result(detail: str, ending_date: date, entries) -> Response:
    period = selectors.inventory_periods().get(ending_date=ending_date)
    body = {"detail": detail, "period": period, "entries": entries}
    return Response(PeriodActionResultSerializer(body).data)


@extend_schema(tags=["inventory periods"])
class ClosePeriodView(APIView):
    """Close the period and every earlier open one. 409 with ``problems`` (the close test) when it is not clean."""

    write_permission = CLOSE_PERIODS

    @extend_schema(request=None, responses={200: PeriodActionResultSerializer, **ERROR_RESPONSES})
    def post(self, request, ending_date):
        day = parse_ending_date(ending_date)
        try:
            entries = services.close_period(day, user=request.user)
        except services.PeriodNotClean as refused:
            return Response(
                {"detail": refused.message, "code": refused.code, "problems": refused.problems},
                status=status.HTTP_409_CONFLICT,
            )
        detail = _("The inventory period ending %(date)s has been closed.") % {"date": day}
        return _action_result(detail, day, entries)


@extend_schema(tags=["inventory periods"])
class ReopenPeriodView(APIView):
    """Reopen the period and every later closed one, newest first, each logged."""

    write_permission = CLOSE_PERIODS

    @extend_schema(request=None, responses={200: PeriodActionResultSerializer, **ERROR_RESPONSES})
    def post(self, request, ending_date):
        day = parse_ending_date(ending_date)
        entries = services.reopen_period(day, user=request.user)
        detail = _("All inventory periods from %(date)s have been reopened.") % {"date": day}
        return _action_result(detail, day, entries)


@extend_schema(tags=["inventory periods"])
class CloseTestView(APIView):
    """Close Inventory Period - Test: every problem that prevents closing, each naming the item and the entry, and
    warnings that do not (value entries not yet posted to the G/L)."""

    @extend_schema(responses={200: CloseTestSerializer})
    def get(self, request, ending_date):
        day = parse_ending_date(ending_date)
        if not selectors.inventory_periods().filter(ending_date=day).exists():
            raise Http404(_("There is no inventory period ending %(date)s.") % {"date": day})
        return Response(CloseTestSerializer(selectors.close_test(day).as_dict()).data)


@extend_schema(tags=["inventory periods"])
class InventoryPeriodEntryListView(generics.ListAPIView):
    """The close and reopen log: who, when, which period, the last item register at closing."""

    serializer_class = InventoryPeriodEntrySerializer
    queryset = selectors.period_entries()
    filterset_class = InventoryPeriodEntryFilter
    ordering_fields = ["entry_no", "ending_date", "created_at"]
    ordering = ["entry_no"]


@extend_schema(tags=["inventory periods"])
class InventoryPeriodEntryDetailView(APIView):
    """One log entry with its close log (seed 003): what could not be settled with final cost, and why."""

    @extend_schema(responses={200: InventoryPeriodEntrySerializer})
    def get(self, request, entry_no):
        entry = selectors.period_entries().filter(entry_no=entry_no).first()
        if entry is None:
            raise Http404(_("There is no inventory period entry %(no)s.") % {"no": entry_no})
        body = InventoryPeriodEntrySerializer(entry).data
        body["close_log"] = InventoryCloseLogLineSerializer(selectors.close_log_lines(entry_no), many=True).data
        return Response(body)

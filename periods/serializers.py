"""Serializers of the inventory periods API (shared/spec/api.md, "Inventory periods")."""

from rest_framework import serializers

from periods.models import InventoryCloseLogLine, InventoryPeriod, InventoryPeriodEntry


class InventoryPeriodSerializer(serializers.ModelSerializer):
    # The service decides about the date (409 before a closed period, 400 for a duplicate), not a unique validator.
    ending_date = serializers.DateField()
    name = serializers.CharField(max_length=50, allow_blank=True, required=False, default="")
    # Closing and reopening are actions with a close test and a log, never a field write.
    closed = serializers.BooleanField(read_only=True)

    class Meta:
        model = InventoryPeriod
        fields = ["ending_date", "name", "closed"]


class InventoryPeriodRenameSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, allow_blank=True)


class InventoryCloseLogLineSerializer(serializers.ModelSerializer):
    message = serializers.CharField(read_only=True)

    class Meta:
        model = InventoryCloseLogLine
        fields = [
            "reason",
            "item_no",
            "item_ledger_entry_no",
            "posting_date",
            "quantity",
            "inbound_entry_no",
            "inbound_posting_date",
            "message",
        ]


class InventoryPeriodEntrySerializer(serializers.ModelSerializer):
    user = serializers.CharField(source="user.username", default=None, read_only=True)
    log_lines = serializers.IntegerField(source="log_lines_count", read_only=True, default=0)

    class Meta:
        model = InventoryPeriodEntry
        fields = [
            "entry_no",
            "ending_date",
            "entry_type",
            "user",
            "created_at",
            "closing_item_register_no",
            "description",
            "log_lines",
        ]


class ProblemSerializer(serializers.Serializer):
    code = serializers.CharField()
    message = serializers.CharField()
    item = serializers.CharField(allow_null=True)
    entry_no = serializers.IntegerField(allow_null=True)
    entries = serializers.ListField(child=serializers.IntegerField())
    guidance = serializers.CharField(allow_blank=True)
    blocking = serializers.BooleanField()


class CloseTestSerializer(serializers.Serializer):
    ending_date = serializers.DateField()
    can_close = serializers.BooleanField()
    problems = ProblemSerializer(many=True)
    warnings = ProblemSerializer(many=True)


class PeriodActionResultSerializer(serializers.Serializer):
    detail = serializers.CharField()
    period = InventoryPeriodSerializer()
    entries = InventoryPeriodEntrySerializer(many=True)

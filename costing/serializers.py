"""Serializers of the inventory ledgers and of the posting requests (item journal, invoices, item charges,
revaluation, Post Inventory Cost to G/L).

Input serializers check shapes and formats only (strict decimal strings, dates, choices); whether codes exist, signs
agree and entries can be applied is the posting service's call, which names the line and field in its error.
"""

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.fields import AmountField, CodeField, QuantityField, UnitCostField
from costing.models import ItemApplicationEntry, ItemLedgerEntry, ItemLedgerEntryType, ValueEntry
from costing.posting import JournalLine, RevaluationLine
from ledger.serializers import GLEntrySerializer

POSTING_METHODS = [
    ("per_entry", _("Per entry")),
    ("per_posting_group", _("Per posting group")),
]

# --------------------------------------------------------------------------------------------------------- ledgers


class ItemLedgerEntrySerializer(serializers.ModelSerializer):
    item = CodeField(read_only=True)
    location = CodeField(read_only=True, help_text=_('Location code; "" for the blank location.'))
    gen_bus_posting_group = CodeField(read_only=True)
    quantity = QuantityField(read_only=True)
    remaining_quantity = QuantityField(read_only=True)
    invoiced_quantity = QuantityField(read_only=True)
    cost_amount_expected = AmountField(read_only=True, help_text=_("Sum over the entry's value entries."))
    cost_amount_actual = AmountField(read_only=True, help_text=_("Sum over the entry's value entries."))

    class Meta:
        model = ItemLedgerEntry
        fields = [
            "entry_no",
            "item",
            "posting_date",
            "entry_type",
            "document_no",
            "external_document_no",
            "description",
            "location",
            "quantity",
            "remaining_quantity",
            "invoiced_quantity",
            "open",
            "positive",
            "completely_invoiced",
            "applies_to_entry",
            "transferred_from_entry",
            "gen_bus_posting_group",
            "order_type",
            "order_no",
            "cost_amount_expected",
            "cost_amount_actual",
        ]
        read_only_fields = fields


class ValueEntrySerializer(serializers.ModelSerializer):
    item_ledger_entry_no = serializers.IntegerField(source="item_ledger_entry_id", read_only=True, allow_null=True)
    item = CodeField(read_only=True)
    location = CodeField(read_only=True, help_text=_('Location code; "" for the blank location.'))
    inventory_posting_group = CodeField(read_only=True)
    gen_bus_posting_group = CodeField(read_only=True)
    gen_prod_posting_group = CodeField(read_only=True)
    valued_quantity = QuantityField(read_only=True)
    invoiced_quantity = QuantityField(read_only=True)
    item_ledger_entry_quantity = QuantityField(read_only=True)
    cost_per_unit = UnitCostField(read_only=True)
    cost_amount_actual = AmountField(read_only=True)
    cost_amount_expected = AmountField(read_only=True)
    cost_posted_to_gl = AmountField(read_only=True)
    expected_cost_posted_to_gl = AmountField(read_only=True)

    class Meta:
        model = ValueEntry
        fields = [
            "entry_no",
            "item_ledger_entry_no",
            "item",
            "posting_date",
            "valuation_date",
            "item_ledger_entry_type",
            "entry_type",
            "variance_type",
            "adjustment",
            "expected_cost",
            "item_charge",
            "item_ledger_entry_quantity",
            "valued_quantity",
            "invoiced_quantity",
            "cost_per_unit",
            "cost_amount_actual",
            "cost_amount_expected",
            "cost_posted_to_gl",
            "expected_cost_posted_to_gl",
            "applies_to_entry",
            "location",
            "inventory_posting_group",
            "gen_bus_posting_group",
            "gen_prod_posting_group",
            "document_no",
            "external_document_no",
            "description",
            "source_code",
            "order_type",
            "order_no",
        ]
        read_only_fields = fields


class ItemApplicationEntrySerializer(serializers.ModelSerializer):
    item_ledger_entry_no = serializers.IntegerField(source="item_ledger_entry_id", read_only=True)
    inbound_item_entry_no = serializers.IntegerField(source="inbound_item_entry_id", read_only=True)
    outbound_item_entry_no = serializers.IntegerField(source="outbound_item_entry_id", read_only=True, allow_null=True)
    quantity = QuantityField(read_only=True)

    class Meta:
        model = ItemApplicationEntry
        fields = [
            "entry_no",
            "item_ledger_entry_no",
            "inbound_item_entry_no",
            "outbound_item_entry_no",
            "quantity",
            "posting_date",
            "cost_application",
        ]
        read_only_fields = fields


class PostingResultSerializer(serializers.Serializer):
    """What a posting request created."""

    item_ledger_entries = ItemLedgerEntrySerializer(many=True)
    value_entries = ValueEntrySerializer(many=True)
    item_application_entries = ItemApplicationEntrySerializer(many=True)
    gl_entries = GLEntrySerializer(many=True, help_text=_("Only where automatic cost posting is on."))


# ------------------------------------------------------------------------------------------------------ item journal


def _code(**kwargs):
    """A setup code on input; ``""`` (or null) means none."""
    return serializers.CharField(max_length=20, required=False, allow_blank=True, allow_null=True, **kwargs)


def _entry_no(**kwargs):
    return serializers.IntegerField(min_value=1, required=False, allow_null=True, **kwargs)


class ItemJournalLineSerializer(serializers.Serializer):
    entry_type = serializers.ChoiceField(choices=ItemLedgerEntryType.choices)
    posting_date = serializers.DateField()
    document_no = serializers.CharField(max_length=40)
    external_document_no = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    description = serializers.CharField(max_length=100, required=False, allow_blank=True, default="")
    item = serializers.CharField(max_length=20)
    location = _code(default="")
    new_location = _code(default=None, help_text=_('Required for transfers; "" is the blank location.'))
    quantity = QuantityField(help_text=_("Positive in the ordinary direction, negative for a return. Never zero."))
    invoiced_quantity = QuantityField(
        required=False, allow_null=True, default=None, help_text=_("Defaults to the quantity; 0 for expected cost.")
    )
    unit_cost = UnitCostField(
        required=False, allow_null=True, default=None, help_text=_("Defaults to the item's unit cost.")
    )
    applies_to_entry = _entry_no(default=None)
    applies_from_entry = _entry_no(default=None)
    gen_bus_posting_group = _code(default="")
    # Production: consumption and output lines name their production order.
    order_no = serializers.CharField(max_length=20, required=False, allow_blank=True, default="")


class ItemJournalPostSerializer(serializers.Serializer):
    lines = ItemJournalLineSerializer(many=True, allow_empty=False, max_length=10000)
    work_date = serializers.DateField(
        required=False, allow_null=True, default=None, help_text=_("Defaults to today; used by cost adjustment.")
    )

    def journal_lines(self) -> list[JournalLine]:
        """The validated lines as the posting service takes them; a null code is the blank one."""
        return [
            JournalLine(
                **{
                    **data,
                    "location": data["location"] or "",
                    "gen_bus_posting_group": data["gen_bus_posting_group"] or "",
                }
            )
            for data in self.validated_data["lines"]
        ]


class InvoiceSerializer(serializers.Serializer):
    posting_date = serializers.DateField()
    document_no = serializers.CharField(max_length=40)
    quantity = QuantityField(
        required=False, allow_null=True, default=None, help_text=_("Defaults to all that is not yet invoiced.")
    )
    unit_cost = UnitCostField(required=False, allow_null=True, default=None, help_text=_("Inbound entries only."))


class ItemChargeSerializer(serializers.Serializer):
    posting_date = serializers.DateField()
    document_no = serializers.CharField(max_length=40)
    amount = AmountField()


class RevaluationLineSerializer(serializers.Serializer):
    item = serializers.CharField(max_length=20)
    posting_date = serializers.DateField()
    document_no = serializers.CharField(max_length=40)
    applies_to_entry = _entry_no(default=None)
    location = _code(default=None, help_text=_("Only entries at this location; omit for every location."))
    unit_cost_revalued = UnitCostField(required=False, allow_null=True, default=None)
    inventory_value_revalued = AmountField(required=False, allow_null=True, default=None)


class RevaluationJournalPostSerializer(serializers.Serializer):
    lines = RevaluationLineSerializer(many=True, allow_empty=False, max_length=10000)

    def revaluation_lines(self) -> list[RevaluationLine]:
        return [RevaluationLine(**data) for data in self.validated_data["lines"]]


# ---------------------------------------------------------------------------------------- Post Inventory Cost to G/L


class PostInventoryCostToGLSerializer(serializers.Serializer):
    posting_method = serializers.ChoiceField(choices=POSTING_METHODS)
    document_no = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text=_("Required per posting group, refused per entry."),
    )
    post = serializers.BooleanField(default=True, help_text=_("false: report what would be posted, post nothing."))
    items = serializers.ListField(child=serializers.CharField(max_length=20), required=False, default=list)
    posting_date_to = serializers.DateField(required=False, allow_null=True, default=None)


class PostInventoryCostToGLTestQuerySerializer(serializers.Serializer):
    posting_method = serializers.ChoiceField(choices=POSTING_METHODS, default="per_entry")
    document_no = serializers.CharField(max_length=40, required=False, allow_blank=True, default="")
    item = serializers.ListField(child=serializers.CharField(max_length=20), required=False, default=list)


class ReportLineSerializer(serializers.Serializer):
    value_entry_no = serializers.IntegerField()
    part = serializers.CharField(help_text=_("actual or expected"))
    account_type = serializers.CharField()
    gl_account = serializers.CharField(allow_null=True)
    amount = AmountField()
    posting_date = serializers.DateField()
    document_no = serializers.CharField()


class ReportAccountTotalSerializer(serializers.Serializer):
    gl_account = serializers.CharField(allow_null=True)
    account_type = serializers.CharField()
    amount = AmountField()


class ReportSkippedSerializer(serializers.Serializer):
    value_entry_no = serializers.IntegerField()
    reason = serializers.CharField()
    code = serializers.CharField()


class ReportWarningSerializer(serializers.Serializer):
    value_entry_no = serializers.IntegerField()
    code = serializers.CharField()
    message = serializers.CharField()


class PostInventoryCostToGLReportSerializer(serializers.Serializer):
    posting_method = serializers.CharField()
    posted = serializers.BooleanField()
    posted_value_entries = serializers.IntegerField()
    gl_entries = serializers.ListField(child=serializers.IntegerField(), help_text=_("Entry nos. of the G/L entries."))
    register_no = serializers.IntegerField(allow_null=True)
    lines = ReportLineSerializer(many=True)
    by_account = ReportAccountTotalSerializer(many=True)
    skipped = ReportSkippedSerializer(many=True)


class PostInventoryCostToGLTestReportSerializer(PostInventoryCostToGLReportSerializer):
    warnings = ReportWarningSerializer(many=True)


class PostInventoryCostToGLRunSerializer(serializers.Serializer):
    job = serializers.CharField()
    status = serializers.CharField()
    parameters = serializers.DictField()
    result = PostInventoryCostToGLReportSerializer()

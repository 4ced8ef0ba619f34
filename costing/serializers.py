"""Serializers of the inventory ledgers and of the posting requests (item journal, invoices, item charges,
revaluation, Post Inventory Cost to G/L).

Input serializers check shapes and formats only (strict decimal strings, dates, choices); whether codes exist, signs
agree and entries can be applied is the posting service's call, which names the line and field in its error.
"""

from collections import defaultdict
from collections.abc import Sequence
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from operator import attrgetter, itemgetter

from django.db import connection
from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from core.fields import AmountField, CodeField, QuantityField, UnitCostField
from core.money import AMOUNT_PLACES, QUANTITY_PLACES, UNIT_COST_PLACES
from core.serializers import FastListSerializer
from costing.models import ItemApplicationEntry, ItemLedgerEntry, ItemLedgerEntryType, ValueEntry
from costing.posting import JournalLine, PostingResult, RevaluationLine
from ledger import selectors as ledger_selectors
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
            "corrects_entry",
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
    """What a posting request created (the schema of the answer; ``posting_result_data`` builds it)."""

    item_ledger_entries = ItemLedgerEntrySerializer(many=True)
    value_entries = ValueEntrySerializer(many=True)
    item_application_entries = ItemApplicationEntrySerializer(many=True)
    gl_entries = GLEntrySerializer(many=True, help_text=_("Only where automatic cost posting is on."))


# The answer of a posting, built from the rows the posting holds in memory: every column of the entries it created is
# what it wrote (COPY), so reading them back (and summing each new item ledger entry's value entries in SQL) only
# repeated what is known, and ModelSerializer's per-field machinery cost more than the posting of a 500-line batch.
# The output is exactly that of the serializers above (tests/api/test_posting_api.py compares the two): decimals
# quantized to the column's scale as PostgreSQL rounds (half away from zero), "-0" written as "0", blank codes as "".


def _decimal_writer(places: int, remembered: int = 20_000):
    """A decimal column's text. A posting's entries repeat a few values (quantities, unit costs, the same amounts on
    an entry and its value entry), so each writer remembers the texts of the first ``remembered`` distinct values:
    quantizing and formatting each value again was a third of building a 500-line posting's answer. Equal decimals
    share one text (1.0 and 1.00 quantize alike)."""
    quantum = Decimal(1).scaleb(-places)
    zero = f"{Decimal(0).quantize(quantum):f}"
    texts: dict[Decimal, str] = {}

    def write(value) -> str:
        if not value:
            return zero
        text = texts.get(value)
        if text is None:
            text = f"{value.quantize(quantum, rounding=ROUND_HALF_UP):f}"
            if len(texts) < remembered:
                texts[value] = text
        return text

    return write


_quantity = _decimal_writer(QUANTITY_PLACES)
_amount = _decimal_writer(AMOUNT_PLACES)
_unit_cost = _decimal_writer(UNIT_COST_PLACES)


def _text(value):
    return value if value is None or type(value) is str else str(value)


def _code_or_blank(value) -> str:
    return "" if value is None else value


# Each column of an answer is written by one function over the whole column (``_table``); where every value already
# is what the API writes (plain strings without None), the column is used as it is.
def _texts(column: tuple) -> Sequence:
    return column if set(map(type, column)) == {str} else list(map(_text, column))


def _codes(column: tuple) -> Sequence:
    return list(map(_code_or_blank, column)) if None in column else column


def _dates(column: tuple) -> Sequence:
    return list(map(date.isoformat, column))


def _quantities(column: tuple) -> Sequence:
    return list(map(_quantity, column))


def _amounts(column: tuple) -> Sequence:
    return list(map(_amount, column))


def _unit_costs(column: tuple) -> Sequence:
    return list(map(_unit_cost, column))


_OBJECT_MAKERS: dict[tuple, object] = {}


def _object_maker(keys: tuple):
    """``values -> {keys[0]: values[0], ...}`` as one dict display, compiled once per key list: a dict display is
    built presized in one step, ``dict(zip(keys, values))`` grows the dict key by key (twice the time)."""
    maker = _OBJECT_MAKERS.get(keys)
    if maker is None:
        source = "lambda v: {" + ", ".join(f"{key!r}: v[{i}]" for i, key in enumerate(keys)) + "}"
        maker = _OBJECT_MAKERS[keys] = eval(source)  # noqa: S307 - source built from the field names above only
    return maker


def _table(entries: list, spec: tuple, computed: dict | None = None) -> list[dict]:
    """The answer's objects for ``entries``: ``spec`` is (key, attribute, column writer or None) per field, read from
    the instance dicts (the foreign keys' ``_id`` attributes are descriptors, 0.3 us a read) by one C call per row;
    a field whose attribute is None takes its written column from ``computed`` (values not on the entries)."""
    if not entries:
        return []
    read = [(attname, writer) for _key, attname, writer in spec if attname is not None]
    columns = iter(zip(*map(itemgetter(*(attname for attname, _w in read)), map(vars, entries)), strict=True))
    written = []
    for key, attname, writer in spec:
        if attname is None:
            written.append(computed[key])
        else:
            column = next(columns)
            written.append(writer(column) if writer else column)
    return list(map(_object_maker(tuple(key for key, _a, _w in spec)), zip(*written, strict=True)))


_ILE_FIELDS = (
    ("entry_no", "entry_no", None),
    ("item", "item_id", _codes),
    ("posting_date", "posting_date", _dates),
    ("entry_type", "entry_type", _texts),
    ("document_no", "document_no", _texts),
    ("external_document_no", "external_document_no", _texts),
    ("description", "description", _texts),
    ("location", "location_id", _codes),
    ("quantity", "quantity", _quantities),
    ("remaining_quantity", "remaining_quantity", _quantities),
    ("invoiced_quantity", "invoiced_quantity", _quantities),
    ("open", "open", None),
    ("positive", "positive", None),
    ("completely_invoiced", "completely_invoiced", None),
    ("applies_to_entry", "applies_to_entry", None),
    ("transferred_from_entry", "transferred_from_entry", None),
    ("corrects_entry", "corrects_entry", None),
    ("gen_bus_posting_group", "gen_bus_posting_group_id", _codes),
    ("order_type", "order_type", _texts),
    ("order_no", "order_no", _texts),
    ("cost_amount_expected", None, None),
    ("cost_amount_actual", None, None),
)
_VALUE_FIELDS = (
    ("entry_no", "entry_no", None),
    ("item_ledger_entry_no", "item_ledger_entry_id", None),
    ("item", "item_id", _codes),
    ("posting_date", "posting_date", _dates),
    ("valuation_date", "valuation_date", _dates),
    ("item_ledger_entry_type", "item_ledger_entry_type", _texts),
    ("entry_type", "entry_type", _texts),
    ("variance_type", "variance_type", _texts),
    ("adjustment", "adjustment", None),
    ("expected_cost", "expected_cost", None),
    ("item_charge", "item_charge", None),
    ("item_ledger_entry_quantity", "item_ledger_entry_quantity", _quantities),
    ("valued_quantity", "valued_quantity", _quantities),
    ("invoiced_quantity", "invoiced_quantity", _quantities),
    ("cost_per_unit", "cost_per_unit", _unit_costs),
    ("cost_amount_actual", "cost_amount_actual", _amounts),
    ("cost_amount_expected", "cost_amount_expected", _amounts),
    ("cost_posted_to_gl", None, None),
    ("expected_cost_posted_to_gl", None, None),
    ("applies_to_entry", "applies_to_entry", None),
    ("location", "location_id", _codes),
    ("inventory_posting_group", "inventory_posting_group_id", _codes),
    ("gen_bus_posting_group", "gen_bus_posting_group_id", _codes),
    ("gen_prod_posting_group", "gen_prod_posting_group_id", _codes),
    ("document_no", "document_no", _texts),
    ("external_document_no", "external_document_no", _texts),
    ("description", "description", _texts),
    ("source_code", "source_code", _texts),
    ("order_type", "order_type", _texts),
    ("order_no", "order_no", _texts),
)
_APPLICATION_FIELDS = (
    ("entry_no", "entry_no", None),
    ("item_ledger_entry_no", "item_ledger_entry_id", None),
    ("inbound_item_entry_no", "inbound_item_entry_id", None),
    ("outbound_item_entry_no", "outbound_item_entry_id", None),
    ("quantity", "quantity", _quantities),
    ("posting_date", "posting_date", _dates),
    ("cost_application", "cost_application", None),
)


def posting_result_data(result: PostingResult) -> dict:
    """The 201 body of a posting: ``PostingResultSerializer``'s output, from ``result`` without reading the entries
    back. Two reads remain, only where automatic cost posting ran: the posted-to-G/L amounts of the value entries
    (changed in the database after they were written) and the G/L entries with their value entry numbers.

    Built a column at a time (``_table``): a 500-line posting answers with about 1,800 entries of 7 to 30 fields, and
    a function call per field was most of the answer's cost."""
    value_entries = sorted(result.value_entries, key=attrgetter("entry_no"))
    value_dicts = list(map(vars, value_entries))
    costs: dict[int, list] = defaultdict(lambda: [0, 0])
    for v in value_dicts:
        if v["item_ledger_entry_id"] is not None:
            total = costs[v["item_ledger_entry_id"]]
            total[0] += v["cost_amount_expected"]
            total[1] += v["cost_amount_actual"]
    # The posting's value entries are new: nothing of them is posted to the G/L unless automatic cost posting posted
    # them in this transaction (ValueEntryGLPosting rows).
    posted: dict[int, tuple] = {}
    if result.posted_to_gl and value_entries:
        with connection.cursor() as cur:
            cur.execute(
                "SELECT value_entry_no, cost_posted_to_gl, expected_cost_posted_to_gl "
                "FROM costing_value_entry_gl_posting WHERE value_entry_no = ANY(%s)",
                [[v["entry_no"] for v in value_dicts]],
            )
            posted = {no: (actual, expected) for no, actual, expected in cur.fetchall()}
    nothing = (0, 0)
    pairs = [posted.get(v["entry_no"], nothing) for v in value_dicts]
    posted_actual, posted_expected = (tuple(p[0] for p in pairs), tuple(p[1] for p in pairs))
    entries = sorted(result.item_ledger_entries, key=attrgetter("entry_no"))
    no_costs = (0, 0)
    entry_costs = [costs.get(e.entry_no, no_costs) for e in entries]
    item_ledger_entries = _table(
        entries,
        _ILE_FIELDS,
        {
            "cost_amount_expected": _amounts(tuple(c[0] for c in entry_costs)),
            "cost_amount_actual": _amounts(tuple(c[1] for c in entry_costs)),
        },
    )
    value_data = _table(
        value_entries,
        _VALUE_FIELDS,
        {"cost_posted_to_gl": _amounts(posted_actual), "expected_cost_posted_to_gl": _amounts(posted_expected)},
    )
    applications = _table(sorted(result.application_entries, key=attrgetter("entry_no")), _APPLICATION_FIELDS)
    gl_entries = []
    if result.gl_entries:
        gl_entries = GLEntrySerializer(
            ledger_selectors.gl_entries().filter(entry_no__in=[g.entry_no for g in result.gl_entries]), many=True
        ).data
    return {
        "item_ledger_entries": item_ledger_entries,
        "value_entries": value_data,
        "item_application_entries": applications,
        "gl_entries": gl_entries,
    }


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

    class Meta:
        list_serializer_class = FastListSerializer


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


class CancelDocumentSerializer(serializers.Serializer):
    document_no = serializers.CharField(max_length=40)
    posting_date = serializers.DateField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("Date of the corrections; defaults to each entry's own posting date (never earlier than it)."),
    )


class CancelPlanEntrySerializer(serializers.Serializer):
    entry_no = serializers.IntegerField(source="entry.entry_no")
    item = serializers.CharField(source="entry.item_id")
    entry_type = serializers.CharField(source="entry.entry_type")
    posting_date = serializers.DateField(source="entry.posting_date")
    quantity = QuantityField(source="entry.quantity")
    cancelled_by = serializers.IntegerField(
        allow_null=True, help_text=_("The correction entry, when the entry is already cancelled.")
    )
    reversible = serializers.SerializerMethodField()
    refusal = serializers.CharField(help_text=_("Why the entry cannot be cancelled; empty when it can."))

    def get_reversible(self, reversal) -> bool:
        return reversal.line is not None


class CancelPlanSerializer(serializers.Serializer):
    document_no = serializers.CharField()
    cancellable = serializers.BooleanField(
        help_text=_("Every entry not yet cancelled can be, and one at least is left.")
    )
    entries = CancelPlanEntrySerializer(many=True)


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

    class Meta:
        list_serializer_class = FastListSerializer


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
    item = serializers.ListField(
        child=serializers.CharField(max_length=20, allow_blank=True), required=False, default=list
    )

    def validate_item(self, value):
        """``?item=`` (blank) filters nothing, as a blank filter does everywhere else."""
        return [no for no in value if no]


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

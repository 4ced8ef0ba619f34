"""The period-end valuation reports (docs/reports.md), each one aggregate query over the ledgers.

Every report returns a ``Report``: columns, rows (dicts keyed by column), totals and notes. The pages, the API and the
CSV/XLSX/PDF exports all render that one object, so they cannot disagree. Amounts are summed in SQL and rounded to the
cent here; quantities are summed in SQL.

Dates: the Inventory Valuation, WIP and Cost Shares reports read value entries by posting date (costing reference
4.11: that is what ties to the G/L). Inventory as of a date and the Cost Spec. read the value by valuation date (the
date the cost belongs to: an invoice posted later for an earlier receipt values the receipt from its receipt date).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.utils.translation import gettext_lazy as _

from core.money import ZERO, round_amount, round_quantity
from reconciliation.selectors import Filters as ReconciliationFilters
from reconciliation.selectors import gl_accounts, gl_totals

TEXT, QUANTITY, AMOUNT = "text", "quantity", "amount"


@dataclass(frozen=True)
class ReportFilters:
    date_from: date | None = None
    date_to: date | None = None
    as_of: date | None = None
    item: str = ""
    location: str = ""
    include_expected_cost: bool = False
    basis: str = ""  # inventory-as-of: valuation_date | posting_date; cost shares: sales | output

    @property
    def narrowed(self) -> bool:
        return bool(self.item or self.location)

    def as_dict(self) -> dict:
        out = {
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "as_of": self.as_of.isoformat() if self.as_of else None,
            "item": self.item or None,
            "location": self.location or None,
            "include_expected_cost": self.include_expected_cost,
        }
        if self.basis:
            out["basis"] = self.basis
        return out


@dataclass(frozen=True)
class Column:
    key: str
    label: str
    kind: str = AMOUNT


@dataclass
class Report:
    key: str
    title: str
    columns: list[Column]
    rows: list[dict]
    filters: ReportFilters
    totals: dict = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    # Inventory Valuation: the comparison with the Inventory G/L accounts (None with an item or location filter).
    gl: dict | None = None
    chart: list | None = None

    def as_json(self) -> dict:
        out = {
            "report": self.key,
            "filters": self.filters.as_dict(),
            "columns": [{"key": c.key, "label": str(c.label), "kind": c.kind} for c in self.columns],
            "rows": [{c.key: _json(row.get(c.key), c.kind) for c in self.columns} for row in self.rows],
            "totals": {c.key: _json(self.totals.get(c.key), c.kind) for c in self.columns if c.key in self.totals},
            "notes": [str(n) for n in self.notes],
        }
        if self.gl is not None:
            out["gl_reconciliation"] = {
                k: (f"{v:.2f}" if isinstance(v, Decimal) else v) for k, v in self.gl.items() if k != "message"
            }
            out["gl_reconciliation"]["message"] = str(self.gl["message"])
        return out


def _json(value, kind):
    if value is None:
        return None
    if kind == AMOUNT:
        return f"{round_amount(Decimal(value)):.2f}"
    if kind == QUANTITY:
        text = format(Decimal(value).normalize(), "f")
        return "0" if text in ("-0", "0") else text
    return value


def _amount(value) -> Decimal:
    return round_amount(Decimal(value or 0))


def _quantity(value) -> Decimal:
    return round_quantity(Decimal(value or 0))


# Reports group hundreds of thousands of entries at once: enough memory for the hash aggregates not to spill to
# disk (SET LOCAL: for the report's own transaction only).
REPORT_WORK_MEM = "128MB"


def _fetch(sql: str, params: list) -> list[dict]:
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(f"SET LOCAL work_mem = '{REPORT_WORK_MEM}'")
        cur.execute(sql, params)
        names = [c.name for c in cur.description]
        return [dict(zip(names, row, strict=True)) for row in cur.fetchall()]


def _narrow(filters: ReportFilters, alias: str, *, item_column: str = "item_no") -> tuple[str, list]:
    where, params = [], []
    if filters.item:
        where.append(f"{alias}.{item_column} = %s")
        params.append(filters.item)
    if filters.location:
        where.append(f"{alias}.location_code = %s")
        params.append(filters.location)
    return "".join(f" AND {w}" for w in where), params


def _totals(rows: list[dict], columns: list[Column], kinds=(AMOUNT,)) -> dict:
    return {c.key: sum((r[c.key] for r in rows), ZERO) for c in columns if c.kind in kinds}


# --------------------------------------------------------------------------------------------- Inventory Valuation

VALUATION_FIELDS = (
    "opening_quantity",
    "opening_value",
    "increase_quantity",
    "increase_value",
    "decrease_quantity",
    "decrease_value",
    "closing_quantity",
    "closing_value",
)


def valuation_columns() -> list[Column]:
    return [
        Column("item", _("Item no."), TEXT),
        Column("description", _("Description"), TEXT),
        Column("location", _("Location"), TEXT),
        Column("opening_quantity", _("Opening quantity"), QUANTITY),
        Column("opening_value", _("Opening value")),
        Column("increase_quantity", _("Increases (quantity)"), QUANTITY),
        Column("increase_value", _("Increases (value)")),
        Column("decrease_quantity", _("Decreases (quantity)"), QUANTITY),
        Column("decrease_value", _("Decreases (value)")),
        Column("closing_quantity", _("Closing quantity"), QUANTITY),
        Column("closing_value", _("Closing value")),
    ]


# The value entries the inventory is valued at: every value entry of an item ledger entry (capacity entries have
# none), by posting date, at its cost amount (actual; expected cost too where asked). The Inventory Valuation report,
# its chart and the books' invariant I5 (core.invariants.period_end_balances) all read them through these two
# fragments, so the valuation a user reads is the one the invariant ties to the G/L (shared spec, reliability 7.1:
# "I5 must use the same valuation query as the user-facing valuation report"). A value entry names an item ledger
# entry that exists (costing/migrations/sql/ledger_refs_checked.sql), so joining it adds no row and drops none.
VALUED_ENTRIES = "v.item_ledger_entry_no IS NOT NULL"


def valuation_amount(include_expected_cost: bool) -> str:
    """The value of a value entry ``v`` in the valuation: its actual cost, with ``include_expected_cost`` its
    expected cost too (received or shipped, not yet invoiced)."""
    return "v.cost_amount_actual + v.cost_amount_expected" if include_expected_cost else "v.cost_amount_actual"


def _valuation_sql(filters: ReportFilters) -> tuple[str, list]:
    """Value entries of item ledger entries, by posting date, split opening / increases / decreases per item and
    location. Increases are the entries of positive (inbound) item ledger entries, decreases those of negative ones,
    both shown as positive figures; closing = opening + increases - decreases.

    Quantities: with expected cost, the item ledger entry quantity (received or shipped); without it, the invoiced
    quantity of the direct cost entries, as Business Central's report does."""
    value = valuation_amount(filters.include_expected_cost)
    quantity = (
        "v.item_ledger_entry_quantity"
        if filters.include_expected_cost
        else "CASE WHEN v.entry_type = 'direct_cost' THEN v.invoiced_quantity ELSE 0 END"
    )
    start = filters.date_from or date.min
    narrow, narrow_params = _narrow(filters, "v")
    upper = " AND v.posting_date <= %s" if filters.date_to else ""
    sql = f"""
        SELECT x.item_no AS item, coalesce(x.location_code, '') AS location, max(it.description) AS description,
               sum(x.q) FILTER (WHERE x.before) AS opening_quantity,
               sum(x.v) FILTER (WHERE x.before) AS opening_value,
               sum(x.q) FILTER (WHERE NOT x.before AND x.positive) AS increase_quantity,
               sum(x.v) FILTER (WHERE NOT x.before AND x.positive) AS increase_value,
               -sum(x.q) FILTER (WHERE NOT x.before AND NOT x.positive) AS decrease_quantity,
               -sum(x.v) FILTER (WHERE NOT x.before AND NOT x.positive) AS decrease_value,
               sum(x.q) AS closing_quantity, sum(x.v) AS closing_value
        FROM (
            SELECT v.item_no, v.location_code, v.posting_date < %s AS before, i.positive,
                   sum({quantity}) AS q, sum({value}) AS v
            FROM costing_value_entry v
            JOIN costing_item_ledger_entry i ON i.entry_no = v.item_ledger_entry_no
            WHERE {VALUED_ENTRIES}{upper}{narrow}
            GROUP BY 1, 2, 3, 4
        ) x
        JOIN costing_item it ON it.no = x.item_no
        GROUP BY 1, 2
        HAVING bool_or(x.q <> 0 OR x.v <> 0)
        ORDER BY 1, 2
    """
    params = [start, *([filters.date_to] if filters.date_to else []), *narrow_params]
    return sql, params


def inventory_valuation(filters: ReportFilters) -> Report:
    sql, params = _valuation_sql(filters)
    rows = []
    for r in _fetch(sql, params):
        row = {"item": r["item"], "description": r["description"], "location": r["location"]}
        for name in VALUATION_FIELDS:
            row[name] = (_amount if name.endswith("value") else _quantity)(r[name])
        rows.append(row)
    columns = valuation_columns()
    report = Report(
        key="inventory-valuation",
        title=_("Inventory Valuation"),
        columns=columns,
        rows=rows,
        filters=filters,
        totals=_totals(rows, columns, kinds=(AMOUNT, QUANTITY)),
    )
    if filters.include_expected_cost:
        report.notes.append(_("Values include expected cost (received or shipped, not yet invoiced)."))
    report.gl = None if filters.narrowed else _inventory_gl(filters, report.totals["closing_value"])
    if report.gl is None:
        report.notes.append(
            _("With an item or location filter the report is not compared with the G/L: G/L entries carry neither.")
        )
    else:
        report.notes.append(report.gl["message"])
    return report


def _not_posted(filters: ReportFilters) -> Decimal:
    """Cost of value entries up to date_to not (yet) posted to the Inventory accounts by Post Inventory Cost to G/L."""
    # Actual cost still to post always waits in the Post Value Entry to G/L queue (invariant I3): found through it.
    # Expected cost is never queued while expected-cost posting is off: looked for among the entries that carry
    # expected cost (partial index ve_expected_cost_date).
    upper = " AND v.posting_date <= %s" if filters.date_to else ""
    params = [filters.date_to] if filters.date_to else []
    # What is posted of a value entry is in costing_value_entry_gl_posting (none: nothing posted).
    posted = "LEFT JOIN costing_value_entry_gl_posting p ON p.value_entry_no = v.entry_no "
    sql = (
        "SELECT coalesce(sum(v.cost_amount_actual - coalesce(p.cost_posted_to_gl, 0)), 0) FROM costing_value_entry v "
        f"JOIN costing_post_value_entry_to_gl q ON q.value_entry_no = v.entry_no {posted}"
        f"WHERE {VALUED_ENTRIES} "
        f"AND coalesce(p.cost_posted_to_gl, 0) <> v.cost_amount_actual{upper}"
    )
    if filters.include_expected_cost:
        sql += (
            " UNION ALL SELECT coalesce(sum(v.cost_amount_expected - coalesce(p.expected_cost_posted_to_gl, 0)), 0) "
            f"FROM costing_value_entry v {posted}"
            f"WHERE {VALUED_ENTRIES} AND v.cost_amount_expected <> 0 "
            f"AND coalesce(p.expected_cost_posted_to_gl, 0) <> v.cost_amount_expected{upper}"
        )
        params = params * 2
    with connection.cursor() as cur:
        cur.execute(f"SELECT coalesce(sum(s), 0) FROM ({sql}) t(s)", params)
        return _amount(cur.fetchone()[0])


def _inventory_gl(filters: ReportFilters, closing: Decimal) -> dict:
    """The balance of the Inventory accounts of the inventory posting setups up to date_to (with expected cost also
    the Inventory (Interim) accounts), read from the reconciliation's exact daily G/L summary."""
    accounts = gl_accounts()
    numbers = set(accounts.get("inventory", []))
    if filters.include_expected_cost:
        numbers |= set(accounts.get("inventory_interim", []))
    _count, balance = gl_totals(sorted(numbers), ReconciliationFilters(date_to=filters.date_to))
    balance = _amount(balance)
    difference = closing - balance
    not_posted = _not_posted(filters) if difference else ZERO
    other = difference - not_posted
    if not difference:
        message = _(
            "The closing value ties to the balance of the Inventory G/L accounts (%(accounts)s): %(amount)s."
        ) % {
            "accounts": ", ".join(sorted(numbers)) or "-",
            "amount": f"{balance:,.2f}",
        }
    else:
        message = _(
            "The closing value differs from the balance of the Inventory G/L accounts (%(accounts)s) by "
            "%(difference)s: %(not_posted)s is value not yet posted to the G/L (run Post Inventory Cost to G/L), "
            "%(other)s has another cause (G/L entries posted by hand or dated differently; see the Inventory - G/L "
            "Reconciliation)."
        ) % {
            "accounts": ", ".join(sorted(numbers)) or "-",
            "difference": f"{difference:,.2f}",
            "not_posted": f"{not_posted:,.2f}",
            "other": f"{other:,.2f}",
        }
    return {
        "accounts": sorted(numbers),
        "closing_value": closing,
        "gl_balance": balance,
        "difference": difference,
        "not_posted": not_posted,
        "other": other,
        "ties": not difference,
        "message": message,
    }


def valuation_chart(filters: ReportFilters, points: int = 24) -> dict | None:
    """Closing value over time: one series per item (with an item filter) or per inventory posting group, sampled at
    up to ``points`` evenly spaced dates between the first and last posting date in range. One SQL pass: the value
    per series and bucket, then running sums."""
    value = valuation_amount(filters.include_expected_cost)
    narrow, narrow_params = _narrow(filters, "v")
    upper = " AND v.posting_date <= %s" if filters.date_to else ""
    upper_params = [filters.date_to] if filters.date_to else []
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT min(v.posting_date), max(v.posting_date) FROM costing_value_entry v "
            f"WHERE {VALUED_ENTRIES}{upper}{narrow}",
            [*upper_params, *narrow_params],
        )
        first, last = cur.fetchone()
    if first is None:
        return None
    start = max(first, filters.date_from) if filters.date_from else first
    end = filters.date_to or last
    if end < start:
        return None
    span = (end - start).days
    step = max(1, -(-span // (points - 1))) if span else 1
    days = []
    day = start
    while day < end:
        days.append(day)
        day = date.fromordinal(day.toordinal() + step)
    days.append(end)
    series_key = "v.item_no" if filters.item else "coalesce(v.inventory_posting_group_id, '')"
    # Bucket b holds the entries dated after days[b-1] up to days[b]; bucket 0 everything up to days[0].
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT {series_key}, width_bucket(v.posting_date - %s::date, %s::int[]) AS b, sum({value}) "
            f"FROM costing_value_entry v WHERE {VALUED_ENTRIES}{upper}{narrow} GROUP BY 1, 2",
            [days[0], [(d - days[0]).days + 1 for d in days], *upper_params, *narrow_params],
        )
        grouped = cur.fetchall()
    series: dict[str, list[Decimal]] = {}
    for key, bucket, amount in grouped:
        if bucket >= len(days):
            continue
        series.setdefault(key, [ZERO] * len(days))[bucket] += amount
    for key, values in series.items():
        running = ZERO
        for i, v in enumerate(values):
            running += v
            values[i] = _amount(running)
        series[key] = values
    ranked = sorted(series.items(), key=lambda kv: -abs(kv[1][-1]))
    return {"days": days, "series": ranked[:8], "by": "item" if filters.item else "posting_group"}


# ---------------------------------------------------------------------------------------------------- Cost Spec.

ENTRY_TYPES = ("direct_cost", "revaluation", "rounding", "indirect_cost", "variance")


def cost_spec_columns() -> list[Column]:
    names = {
        "direct_cost": _("Direct cost"),
        "revaluation": _("Revaluation"),
        "rounding": _("Rounding"),
        "indirect_cost": _("Indirect cost"),
        "variance": _("Variance"),
    }
    cols = [
        Column("item", _("Item no."), TEXT),
        Column("description", _("Description"), TEXT),
        Column("quantity", _("Remaining quantity"), QUANTITY),
    ]
    for et in ENTRY_TYPES:
        cols.append(Column(f"{et}_actual", _("%(type)s (actual)") % {"type": names[et]}))
        cols.append(Column(f"{et}_expected", _("%(type)s (expected)") % {"type": names[et]}))
    cols += [
        Column("total_actual", _("Total (actual)")),
        Column("total_expected", _("Total (expected)")),
        Column("total", _("Total")),
    ]
    return cols


def cost_spec(filters: ReportFilters) -> Report:
    """Per item, the value of the quantity on hand at ``as_of`` split by value entry type, actual and expected.

    As Business Central's report 5801: each item ledger entry still open at the date contributes its value entries
    (valuation date up to the date) in proportion to its quantity still open: an inbound entry its quantity less what
    outbound entries posted up to the date took from it; an outbound entry not yet covered (negative inventory) the
    part still uncovered, with its own (negative) values."""
    as_of = filters.as_of or date.today()
    narrow, narrow_params = _narrow(filters, "i")
    sums = ",\n".join(
        f"sum(v.cost_amount_actual) FILTER (WHERE v.entry_type = '{et}') AS {et}_a, "
        f"sum(v.cost_amount_expected) FILTER (WHERE v.entry_type = '{et}') AS {et}_e"
        for et in ENTRY_TYPES
    )
    shares = ",\n".join(
        f"sum(coalesce(ve.{et}_a, 0) * o.open_qty / o.quantity) AS {et}_actual, "
        f"sum(coalesce(ve.{et}_e, 0) * o.open_qty / o.quantity) AS {et}_expected"
        for et in ENTRY_TYPES
    )
    sql = f"""
        WITH taken AS (
            SELECT CASE WHEN s.k = 0 THEN a.inbound_item_entry_no ELSE a.outbound_item_entry_no END AS entry_no,
                   sum(abs(a.quantity)) AS q
            FROM costing_item_application_entry a CROSS JOIN (VALUES (0), (1)) s(k)
            WHERE a.outbound_item_entry_no IS NOT NULL AND NOT a.cost_application AND a.posting_date <= %s
            GROUP BY 1
        ),
        open_entries AS (
            SELECT i.entry_no, i.item_no, i.quantity,
                   sign(i.quantity) * (abs(i.quantity) - coalesce(t.q, 0)) AS open_qty
            FROM costing_item_ledger_entry i LEFT JOIN taken t ON t.entry_no = i.entry_no
            WHERE i.posting_date <= %s{narrow}
        ),
        ve AS (
            SELECT v.item_ledger_entry_no AS entry_no, {sums}
            FROM costing_value_entry v
            JOIN open_entries o ON o.entry_no = v.item_ledger_entry_no AND o.open_qty <> 0
            WHERE v.valuation_date <= %s
            GROUP BY 1
        )
        SELECT o.item_no AS item, max(it.description) AS description, sum(o.open_qty) AS quantity, {shares}
        FROM open_entries o
        JOIN costing_item it ON it.no = o.item_no
        LEFT JOIN ve ON ve.entry_no = o.entry_no
        WHERE o.open_qty <> 0
        GROUP BY 1
        ORDER BY 1
    """
    rows = []
    for r in _fetch(sql, [as_of, as_of, *narrow_params, as_of]):
        row = {"item": r["item"], "description": r["description"], "quantity": _quantity(r["quantity"])}
        for et in ENTRY_TYPES:
            row[f"{et}_actual"] = _amount(r[f"{et}_actual"])
            row[f"{et}_expected"] = _amount(r[f"{et}_expected"])
        row["total_actual"] = sum((row[f"{et}_actual"] for et in ENTRY_TYPES), ZERO)
        row["total_expected"] = sum((row[f"{et}_expected"] for et in ENTRY_TYPES), ZERO)
        row["total"] = row["total_actual"] + row["total_expected"]
        if row["quantity"] or row["total"]:
            rows.append(row)
    columns = cost_spec_columns()
    return Report(
        key="inventory-valuation-cost-spec",
        title=_("Invt. Valuation - Cost Spec."),
        columns=columns,
        rows=rows,
        filters=ReportFilters(as_of=as_of, item=filters.item, location=filters.location),
        totals=_totals(rows, columns),
        notes=[_("Quantity on hand on %(date)s; values by valuation date up to that date.") % {"date": as_of}],
    )


# ----------------------------------------------------------------------------------------------------------- WIP


def wip_columns() -> list[Column]:
    return [
        Column("order_no", _("Production order"), TEXT),
        Column("item", _("Output item"), TEXT),
        Column("opening_wip", _("Opening WIP")),
        Column("consumption", _("Consumption")),
        Column("capacity", _("Capacity")),
        Column("output", _("Output")),
        Column("closing_wip", _("Closing WIP")),
    ]


def inventory_valuation_wip(filters: ReportFilters) -> Report:
    """Per production order, WIP by posting date with the WIP Inventory formula of the reconciliation (3.3), so the
    total closing WIP ties to its WIP figure: consumption adds the consumed cost, capacity its direct and indirect
    cost, output takes out the output's cost (actual and expected direct cost, expected revaluation).
    Closing WIP = opening WIP + consumption + capacity - output."""
    start = filters.date_from or date.min
    narrow, narrow_params = _narrow(filters, "v")
    upper = " AND v.posting_date <= %s" if filters.date_to else ""
    sql = f"""
        SELECT x.order_no, max(x.output_item) AS item,
               sum(x.consumption + x.capacity - x.output) FILTER (WHERE x.before) AS opening_wip,
               sum(x.consumption) FILTER (WHERE NOT x.before) AS consumption,
               sum(x.capacity) FILTER (WHERE NOT x.before) AS capacity,
               sum(x.output) FILTER (WHERE NOT x.before) AS output,
               sum(x.consumption + x.capacity - x.output) AS closing_wip
        FROM (
            SELECT v.order_no, v.posting_date < %s AS before,
                   max(v.item_no) FILTER (WHERE v.item_ledger_entry_type = 'output') AS output_item,
                   coalesce(-sum(v.cost_amount_actual) FILTER (
                       WHERE v.item_ledger_entry_type = 'consumption' AND v.entry_type = 'direct_cost'), 0)
                       AS consumption,
                   coalesce(sum(v.cost_amount_actual) FILTER (
                       WHERE v.item_ledger_entry_type = '' AND v.entry_type IN ('direct_cost', 'indirect_cost')), 0)
                       AS capacity,
                   coalesce(sum(v.cost_amount_actual + v.cost_amount_expected) FILTER (
                       WHERE v.item_ledger_entry_type = 'output' AND v.entry_type = 'direct_cost'), 0)
                   + coalesce(sum(v.cost_amount_expected) FILTER (
                       WHERE v.item_ledger_entry_type = 'output' AND v.entry_type = 'revaluation'), 0) AS output
            FROM costing_value_entry v
            WHERE v.order_type = 'production' AND v.order_no <> ''{upper}{narrow}
            GROUP BY 1, 2
        ) x
        GROUP BY 1
        HAVING bool_or(x.consumption <> 0 OR x.capacity <> 0 OR x.output <> 0)
        ORDER BY 1
    """
    params = [start, *([filters.date_to] if filters.date_to else []), *narrow_params]
    rows = []
    for r in _fetch(sql, params):
        row = {"order_no": r["order_no"], "item": r["item"] or ""}
        for name in ("opening_wip", "consumption", "capacity", "output", "closing_wip"):
            row[name] = _amount(r[name])
        rows.append(row)
    columns = wip_columns()
    return Report(
        key="inventory-valuation-wip",
        title=_("Inventory Valuation - WIP"),
        columns=columns,
        rows=rows,
        filters=filters,
        totals=_totals(rows, columns),
        notes=[_("Closing WIP = opening WIP + consumption + capacity - output, by posting date.")],
    )


# ------------------------------------------------------------------------------------------- Cost Shares Breakdown

SHARES = ("material", "capacity", "overhead", "subcontracting", "variances", "revaluation", "rounding")


def cost_shares_columns(basis: str) -> list[Column]:
    return [
        Column("item", _("Item no."), TEXT),
        Column("description", _("Description"), TEXT),
        Column("quantity", _("Quantity sold") if basis == "sales" else _("Quantity produced"), QUANTITY),
        Column("material", _("Material")),
        Column("capacity", _("Capacity")),
        Column("overhead", _("Overhead")),
        Column("subcontracting", _("Subcontracting")),
        Column("variances", _("Variances")),
        Column("revaluation", _("Revaluation")),
        Column("rounding", _("Rounding")),
        Column("total", _("Total cost")),
    ]


# Per production order, what its output cost is made of (value entries up to date_to, any date before).
_ORDER_SHARES = """
    SELECT v.order_no,
           coalesce(-sum(v.cost_amount_actual) FILTER (
               WHERE v.item_ledger_entry_type = 'consumption' AND v.entry_type = 'direct_cost'), 0) AS material,
           coalesce(sum(v.cost_amount_actual) FILTER (
               WHERE v.item_ledger_entry_type = '' AND v.entry_type = 'direct_cost'), 0) AS capacity,
           coalesce(sum(v.cost_amount_actual) FILTER (
               WHERE v.item_ledger_entry_type = '' AND v.entry_type = 'indirect_cost'), 0) AS cap_overhead
    FROM costing_value_entry v
    WHERE v.order_type = 'production' AND v.order_no <> '' AND v.item_ledger_entry_type IN ('consumption', '')
          AND v.posting_date <= %s
    GROUP BY 1
"""

# Per inbound item ledger entry, its cost (value entries up to date_to) by share. Direct cost of an output entry is
# split over material, capacity and capacity overhead in the proportions of its production order (anything not
# explained by the order, e.g. before the order is adjusted, stays material); indirect cost is overhead; variances by
# type (subcontracted variance is the subcontracting share); revaluation and rounding as they are.
_ENTRY_SHARES = """
    SELECT v.item_ledger_entry_no AS entry_no,
           sum(v.cost_amount_actual) FILTER (WHERE v.entry_type = 'direct_cost') AS direct,
           coalesce(sum(v.cost_amount_actual) FILTER (WHERE v.entry_type = 'indirect_cost'), 0) AS overhead,
           coalesce(sum(v.cost_amount_actual) FILTER (
               WHERE v.entry_type = 'variance' AND v.variance_type = 'subcontracted'), 0) AS subcontracting,
           coalesce(sum(v.cost_amount_actual) FILTER (
               WHERE v.entry_type = 'variance' AND v.variance_type <> 'subcontracted'), 0) AS variances,
           coalesce(sum(v.cost_amount_actual) FILTER (WHERE v.entry_type = 'revaluation'), 0) AS revaluation,
           coalesce(sum(v.cost_amount_actual) FILTER (WHERE v.entry_type = 'rounding'), 0) AS rounding
    FROM costing_value_entry v JOIN sources s ON s.entry_no = v.item_ledger_entry_no
    WHERE v.posting_date <= %s
    GROUP BY 1
"""


def cost_shares_breakdown(filters: ReportFilters) -> Report:
    """Per item, the cost of what was sold (``basis=sales``, COGS) or produced (``basis=output``) in the period,
    split into shares. Sales: each sale in the period is traced through its item application entries to the inbound
    entries that supplied it, and takes their per-unit shares for the applied quantity; whatever the sale's actual
    cost differs from that (cost not yet adjusted, rounding to the cent) is the rounding share, so every row adds up
    to the actual cost of goods sold. Output: each output entry in the period with its own value entries split the
    same way."""
    basis = filters.basis if filters.basis in ("sales", "output") else "sales"
    start = filters.date_from or date.min
    end = filters.date_to or date.max
    narrow, narrow_params = _narrow(filters, "s")
    if basis == "sales":
        # (outbound sale, inbound source, quantity) for the sales in the period.
        links = f"""
            SELECT s.entry_no AS target, a.inbound_item_entry_no AS source, abs(a.quantity) AS q
            FROM costing_item_ledger_entry s
            JOIN costing_item_application_entry a ON a.outbound_item_entry_no = s.entry_no AND NOT a.cost_application
            WHERE s.entry_type = 'sale' AND NOT s.positive AND s.posting_date BETWEEN %s AND %s{narrow}
        """
        target_cost = """
            SELECT v.item_ledger_entry_no AS target, -sum(v.cost_amount_actual) AS cost
            FROM costing_value_entry v JOIN (SELECT DISTINCT target FROM links) l ON l.target = v.item_ledger_entry_no
            WHERE v.posting_date <= %s GROUP BY 1
        """
    else:
        links = f"""
            SELECT s.entry_no AS target, s.entry_no AS source, s.quantity AS q
            FROM costing_item_ledger_entry s
            WHERE s.entry_type = 'output' AND s.posting_date BETWEEN %s AND %s{narrow}
        """
        target_cost = """
            SELECT v.item_ledger_entry_no AS target, sum(v.cost_amount_actual) AS cost
            FROM costing_value_entry v JOIN (SELECT DISTINCT target FROM links) l ON l.target = v.item_ledger_entry_no
            WHERE v.posting_date <= %s GROUP BY 1
        """
    sql = f"""
        WITH links AS MATERIALIZED ({links}),
        sources AS MATERIALIZED (SELECT DISTINCT source AS entry_no FROM links),
        orders AS MATERIALIZED ({_ORDER_SHARES}),
        entry_shares AS MATERIALIZED ({_ENTRY_SHARES}),
        unit AS MATERIALIZED (
            SELECT src.entry_no, src.quantity,
                   coalesce(es.direct, 0) - coalesce(
                       CASE WHEN src.entry_type = 'output' AND o.material + o.capacity + o.cap_overhead <> 0
                            THEN es.direct * (o.capacity + o.cap_overhead) / (o.material + o.capacity + o.cap_overhead)
                       END, 0) AS material,
                   coalesce(CASE WHEN src.entry_type = 'output' AND o.material + o.capacity + o.cap_overhead <> 0
                            THEN es.direct * o.capacity / (o.material + o.capacity + o.cap_overhead) END, 0)
                       AS capacity,
                   coalesce(es.overhead, 0) + coalesce(
                       CASE WHEN src.entry_type = 'output' AND o.material + o.capacity + o.cap_overhead <> 0
                            THEN es.direct * o.cap_overhead / (o.material + o.capacity + o.cap_overhead) END, 0)
                       AS overhead,
                   coalesce(es.subcontracting, 0) AS subcontracting, coalesce(es.variances, 0) AS variances,
                   coalesce(es.revaluation, 0) AS revaluation, coalesce(es.rounding, 0) AS rounding
            FROM costing_item_ledger_entry src
            JOIN sources ON sources.entry_no = src.entry_no
            LEFT JOIN entry_shares es ON es.entry_no = src.entry_no
            LEFT JOIN orders o ON src.order_type = 'production' AND o.order_no = src.order_no
        ),
        target_cost AS MATERIALIZED ({target_cost}),
        per_target AS MATERIALIZED (
            SELECT l.target,
                   sum(l.q * u.material / u.quantity) AS material, sum(l.q * u.capacity / u.quantity) AS capacity,
                   sum(l.q * u.overhead / u.quantity) AS overhead,
                   sum(l.q * u.subcontracting / u.quantity) AS subcontracting,
                   sum(l.q * u.variances / u.quantity) AS variances,
                   sum(l.q * u.revaluation / u.quantity) AS revaluation,
                   sum(l.q * u.rounding / u.quantity) AS rounding
            FROM links l JOIN unit u ON u.entry_no = l.source
            GROUP BY 1
        )
        SELECT t.item_no AS item, max(it.description) AS description, sum(abs(t.quantity)) AS quantity,
               sum(coalesce(p.material, 0)) AS material, sum(coalesce(p.capacity, 0)) AS capacity,
               sum(coalesce(p.overhead, 0)) AS overhead, sum(coalesce(p.subcontracting, 0)) AS subcontracting,
               sum(coalesce(p.variances, 0)) AS variances, sum(coalesce(p.revaluation, 0)) AS revaluation,
               sum(coalesce(p.rounding, 0)) AS rounding, sum(coalesce(c.cost, 0)) AS total
        FROM costing_item_ledger_entry t
        JOIN (SELECT DISTINCT target FROM links) tl ON tl.target = t.entry_no
        JOIN costing_item it ON it.no = t.item_no
        LEFT JOIN per_target p ON p.target = t.entry_no
        LEFT JOIN target_cost c ON c.target = t.entry_no
        GROUP BY 1
        ORDER BY 1
    """
    params = [start, end, *narrow_params, end, end, end]
    rows = []
    for r in _fetch(sql, params):
        row = {"item": r["item"], "description": r["description"], "quantity": _quantity(r["quantity"])}
        for share in SHARES[:-1]:
            row[share] = _amount(r[share])
        row["total"] = _amount(r["total"])
        # The rounding share takes what the traced shares leave, so the row adds up to the actual cost.
        row["rounding"] = row["total"] - sum((row[s] for s in SHARES[:-1]), ZERO)
        rows.append(row)
    columns = cost_shares_columns(basis)
    return Report(
        key="cost-shares-breakdown",
        title=_("Cost Shares Breakdown"),
        columns=columns,
        rows=rows,
        filters=ReportFilters(
            date_from=filters.date_from,
            date_to=filters.date_to,
            item=filters.item,
            location=filters.location,
            basis=basis,
        ),
        totals=_totals(rows, columns),
        notes=[
            _("Cost of goods sold in the period, traced to the entries that supplied it.")
            if basis == "sales"
            else _("Cost of output posted in the period.")
        ],
    )


# -------------------------------------------------------------------------------------------- Inventory as of


def as_of_columns() -> list[Column]:
    return [
        Column("item", _("Item no."), TEXT),
        Column("description", _("Description"), TEXT),
        Column("location", _("Location"), TEXT),
        Column("quantity", _("Quantity"), QUANTITY),
        Column("cost_amount_actual", _("Cost amount (actual)")),
        Column("cost_amount_expected", _("Cost amount (expected)")),
        Column("value", _("Value")),
    ]


def inventory_as_of(filters: ReportFilters) -> Report:
    """Quantity (item ledger entries posted up to the date) and value per item and location at ``as_of``.

    The value is read by valuation date by default (``basis=valuation_date``): the cost that belongs to stock on that
    date, including invoices and adjustments posted later for it. ``basis=posting_date`` reads what had been posted
    by then, which is what the G/L showed on that date."""
    as_of = filters.as_of or date.today()
    basis = filters.basis if filters.basis in ("valuation_date", "posting_date") else "valuation_date"
    narrow, narrow_params = _narrow(filters, "v")
    in_value = f"v.{basis} <= %s"
    sql = f"""
        SELECT v.item_no AS item, coalesce(v.location_code, '') AS location, max(it.description) AS description,
               sum(v.item_ledger_entry_quantity) FILTER (WHERE v.posting_date <= %s) AS quantity,
               sum(v.cost_amount_actual) FILTER (WHERE {in_value}) AS cost_amount_actual,
               sum(v.cost_amount_expected) FILTER (WHERE {in_value}) AS cost_amount_expected
        FROM costing_value_entry v
        JOIN costing_item it ON it.no = v.item_no
        WHERE v.item_ledger_entry_no IS NOT NULL AND (v.posting_date <= %s OR v.valuation_date <= %s){narrow}
        GROUP BY 1, 2
        ORDER BY 1, 2
    """
    rows = []
    for r in _fetch(sql, [as_of, as_of, as_of, as_of, as_of, *narrow_params]):
        row = {
            "item": r["item"],
            "description": r["description"],
            "location": r["location"],
            "quantity": _quantity(r["quantity"]),
            "cost_amount_actual": _amount(r["cost_amount_actual"]),
            "cost_amount_expected": _amount(r["cost_amount_expected"]),
        }
        row["value"] = row["cost_amount_actual"] + (
            row["cost_amount_expected"] if filters.include_expected_cost else ZERO
        )
        if row["quantity"] or row["cost_amount_actual"] or row["cost_amount_expected"]:
            rows.append(row)
    columns = as_of_columns()
    return Report(
        key="inventory-as-of",
        title=_("Inventory as of a date"),
        columns=columns,
        rows=rows,
        filters=ReportFilters(
            as_of=as_of,
            item=filters.item,
            location=filters.location,
            include_expected_cost=filters.include_expected_cost,
            basis=basis,
        ),
        totals=_totals(rows, columns, kinds=(AMOUNT, QUANTITY)),
        notes=[
            _(
                "Values by valuation date: invoices and adjustments posted later count on the date their cost "
                "belongs to."
            )
            if basis == "valuation_date"
            else _("Values by posting date: what the ledgers held on that date.")
        ],
    )


REPORTS = {
    "inventory-valuation": inventory_valuation,
    "inventory-valuation-cost-spec": cost_spec,
    "inventory-valuation-wip": inventory_valuation_wip,
    "cost-shares-breakdown": cost_shares_breakdown,
    "inventory-as-of": inventory_as_of,
}

"""Inventory - G/L Reconciliation (costing reference section 3): the matrix, its warnings, the explanation of every
difference, the drill-down behind each figure and the daily balance chart. Reads only.

Inventory figures come from one aggregate query over the value entries: the entries are first summed per
(item ledger entry type, entry type, variance type, order type), the only columns the formulas of 3.3 look at, and
the conditional sums of every field are taken over those few groups. G/L figures are the net change of the distinct
accounts of each setup field (3.2).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection
from django.db.models import Case, Count, DecimalField, Exists, F, OuterRef, Q, Sum, Value, When
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _

from core.money import ZERO, round_amount
from costing import gl_posting
from costing.models import GLItemLedgerRelation, InventoryPostingSetup, InventorySetup, PostValueEntryToGL, ValueEntry
from ledger.models import GeneralPostingSetup, GLEntry
from reconciliation.formulas import (
    CELLS,
    COLUMN_NAMES,
    COLUMNS,
    DIRECT_POSTING_FIELDS,
    EXPECTED_COST_FIELDS,
    FIELDS,
    GL_SOURCES,
    ITEM_COLUMNS,
    ITEM_ROWS,
    KIND_NAMES,
    ROW_NAMES,
    ROWS,
    Cell,
    kinds,
)

AMOUNT = DecimalField(max_digits=20, decimal_places=2)
EXPLAIN_SAMPLE = 25  # entries named per cause in an explanation; the cause's total always covers all of them


@dataclass(frozen=True)
class Filters:
    date_from: date | None = None
    date_to: date | None = None
    item: str = ""
    location: str = ""
    show_warnings: bool = False

    @property
    def narrowed(self) -> bool:
        """An item or location filter hides the G/L side and the warnings (3.1)."""
        return bool(self.item or self.location)

    @property
    def dated(self) -> bool:
        return bool(self.date_from or self.date_to)

    def in_range(self, day: date) -> bool:
        return (self.date_from is None or day >= self.date_from) and (self.date_to is None or day <= self.date_to)

    def as_dict(self) -> dict:
        return {
            "date_from": self.date_from.isoformat() if self.date_from else None,
            "date_to": self.date_to.isoformat() if self.date_to else None,
            "item": self.item or None,
            "location": self.location or None,
            "show_warnings": self.show_warnings and not self.narrowed,
        }


# ------------------------------------------------------------------------------------------------- value entries


def _ve_where(filters: Filters, alias: str = "") -> tuple[str, list]:
    p = f"{alias}." if alias else ""
    where, params = ["TRUE"], []
    if filters.date_from:
        where.append(f"{p}posting_date >= %s")
        params.append(filters.date_from)
    if filters.date_to:
        where.append(f"{p}posting_date <= %s")
        params.append(filters.date_to)
    if filters.item:
        where.append(f"{p}item_no = %s")
        params.append(filters.item)
    if filters.location:
        where.append(f"{p}location_code = %s")
        params.append(filters.location)
    return " AND ".join(where), params


def _field_sql(name: str) -> str:
    """Conditional sum of one field over the grouped rows (ile, et, vt, ot, act, exp). Terms of a field are disjoint."""
    whens = []
    for term in FIELDS[name]:
        amount = " + ".join(
            part
            for part in (f"({term.act}) * act" if term.act else "", f"({term.exp}) * exp" if term.exp else "")
            if part
        )
        whens.append(f"WHEN {term.sql()} THEN {amount}")
    return f"coalesce(sum(CASE {' '.join(whens)} ELSE 0 END), 0) AS {name}"


def _fields_over(grouped_sql: str, params: list) -> dict[str, Decimal]:
    sql = f"WITH g AS ({grouped_sql}) SELECT {', '.join(_field_sql(name) for name in FIELDS)} FROM g"
    with connection.cursor() as cur:
        cur.execute(sql, params)
        row = cur.fetchone()
    return {name: money(value) for name, value in zip(FIELDS, row, strict=True)}


def item_fields(filters: Filters) -> dict[str, Decimal]:
    """The fields of 3.3 summed over the value entries in the filters: one aggregate query."""
    return _fields_over(*_grouped_sql(filters))


def _grouped_sql(filters: Filters) -> tuple[str, list]:
    """Value entries summed per (ile, et, vt, ot): from the daily summary, or with an item filter from the entries."""
    if filters.item:
        where, params = _ve_where(filters)
        return (
            "SELECT item_ledger_entry_type AS ile, entry_type AS et, variance_type AS vt, order_type AS ot, "
            "sum(cost_amount_actual) AS act, sum(cost_amount_expected) AS exp, count(*) AS entries "
            f"FROM costing_value_entry WHERE {where} GROUP BY 1, 2, 3, 4",
            params,
        )
    where, params = ["TRUE"], []
    if filters.date_from:
        where.append("posting_date >= %s")
        params.append(filters.date_from)
    if filters.date_to:
        where.append("posting_date <= %s")
        params.append(filters.date_to)
    if filters.location:
        where.append("location_code = %s")
        params.append(filters.location)
    return (
        "SELECT ile, et, vt, ot, sum(act) AS act, sum(exp) AS exp, sum(entries) AS entries "
        f"FROM reconciliation_ve_day WHERE {' AND '.join(where)} GROUP BY 1, 2, 3, 4",
        params,
    )


def field_totals(filters: Filters, field_name: str, kind: str = "", sign: int = 1) -> tuple[int, Decimal]:
    """(entries, amount) of one field, optionally one drill-down choice, without reading the entries themselves."""
    terms = [t for t in FIELDS[field_name] if kind in ("", t.kind)]
    if not terms:
        return 0, money(ZERO)
    cond = " OR ".join(f"({t.sql()})" for t in terms)
    whens = " ".join(f"WHEN {t.sql()} THEN {t.act * sign} * act + {t.exp * sign} * exp" for t in terms)
    grouped, params = _grouped_sql(filters)
    with connection.cursor() as cur:
        cur.execute(
            f"WITH g AS ({grouped}) SELECT coalesce(sum(entries) FILTER (WHERE {cond}), 0), "
            f"coalesce(sum(CASE {whens} ELSE 0 END), 0) FROM g",
            params,
        )
        count, amount = cur.fetchone()
    return int(count), money(amount)


# ----------------------------------------------------------------------------------------------------------- G/L


def gl_accounts() -> dict[str, list[str]]:
    """Distinct G/L accounts of each setup field (3.2): duplicates removed per field only."""
    setups = {
        "ips": list(InventoryPostingSetup.objects.values(*InventoryPostingSetup.ACCOUNT_FIELDS)),
        "gps": list(GeneralPostingSetup.objects.values(*GeneralPostingSetup.ACCOUNT_FIELDS)),
    }
    return {
        name: sorted({row[account_field] for row in setups[where] if row[account_field]})
        for name, (where, account_field) in GL_SOURCES.items()
    }


def _gl_where(filters: Filters, alias: str = "g") -> tuple[str, list]:
    where, params = [], []
    if filters.date_from:
        where.append(f"{alias}.posting_date >= %s")
        params.append(filters.date_from)
    if filters.date_to:
        where.append(f"{alias}.posting_date <= %s")
        params.append(filters.date_to)
    return " AND ".join(where) or "TRUE", params


def gl_net_change(accounts: list[str], filters: Filters) -> dict[str, Decimal]:
    """Net change per account within the date filter (item and location filters never apply to G/L, 3.2)."""
    if not accounts:
        return {}
    where, params = _gl_where(filters)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT g.gl_account_id, sum(g.amount) FROM reconciliation_gl_day g "
            f"WHERE g.gl_account_id = ANY(%s) AND {where} GROUP BY 1",
            [accounts, *params],
        )
        return dict(cur.fetchall())


def gl_totals(accounts: list[str], filters: Filters) -> tuple[int, Decimal]:
    """(entries, net change) of some accounts within the date filter, from the daily summary."""
    where, params = _gl_where(filters)
    with connection.cursor() as cur:
        cur.execute(
            f"SELECT coalesce(sum(g.entries), 0), coalesce(sum(g.amount), 0) FROM reconciliation_gl_day g "
            f"WHERE g.gl_account_id = ANY(%s) AND {where}",
            [accounts, *params],
        )
        count, amount = cur.fetchone()
    return int(count), money(amount)


def gl_fields(filters: Filters, accounts: dict[str, list[str]] | None = None) -> dict[str, Decimal]:
    accounts = accounts if accounts is not None else gl_accounts()
    every = sorted({no for numbers in accounts.values() for no in numbers})
    change = gl_net_change(every, filters)
    out = dict.fromkeys(FIELDS, money(ZERO))
    for name, numbers in accounts.items():
        out[name] = money(sum((change.get(no, ZERO) for no in numbers), ZERO))
    return out


# -------------------------------------------------------------------------------------------------------- matrix


@dataclass
class Matrix:
    filters: Filters
    columns: list[str]
    rows: list[str]
    item: dict[str, Decimal]
    gl: dict[str, Decimal] | None
    diff: dict[str, Decimal] | None
    cells: dict[str, dict[str, Decimal | None]]
    warnings: dict[str, dict[str, dict]] = field(default_factory=dict)
    flags: dict[str, bool] = field(default_factory=dict)
    explanations: dict[str, dict] = field(default_factory=dict)  # by diff field

    def cell(self, row: str, column: str) -> Decimal | None:
        return self.cells[row][column]

    def as_dict(self) -> dict:
        def text(value):
            return None if value is None else f"{value:.2f}"

        return {
            "filters": self.filters.as_dict(),
            "columns": [{"key": c, "name": str(COLUMN_NAMES[c])} for c in self.columns],
            "rows": [
                {
                    "key": row,
                    "name": str(ROW_NAMES[row]),
                    "cells": {c: text(self.cells[row][c]) for c in self.columns},
                    "warnings": self.warnings.get(row, {}),
                    "explanations": {
                        c: _explanation_dict(self.explanations[CELLS[row][c].field])
                        for c in self.columns
                        if c in CELLS[row] and CELLS[row][c].line == "diff" and CELLS[row][c].field in self.explanations
                    },
                }
                for row in self.rows
            ],
        }


def _explanation_dict(exp: dict) -> dict:
    return {
        "difference": f"{exp['difference']:.2f}",
        "causes": [
            {
                "code": cause["code"],
                "name": cause["name"],
                "amount": f"{cause['amount']:.2f}",
                "count": cause["count"],
                "entries": [
                    {**e, "amount": f"{e['amount']:.2f}", "posting_date": e["posting_date"].isoformat()}
                    for e in cause["entries"]
                ],
            }
            for cause in exp["causes"]
        ],
    }


def money(value) -> Decimal:
    """An amount with 2 decimals and no negative zero."""
    return round_amount(value) + ZERO


def _value(line: dict[str, Decimal] | None, cell: Cell) -> Decimal | None:
    if line is None:
        return None
    return money(line.get(cell.field, ZERO) * cell.sign)


def matrix(filters: Filters, *, explain: bool = True) -> Matrix:
    """The reconciliation matrix for the filters, with warnings (when asked and allowed) and explanations."""
    item = item_fields(filters)
    if filters.narrowed:
        columns, rows = ITEM_COLUMNS, ITEM_ROWS
        gl = diff = None
    else:
        columns, rows = COLUMNS, ROWS
        gl = gl_fields(filters)
        diff = {name: gl.get(name, ZERO) - item[name] for name in FIELDS}
    lines = {"item": item, "gl": gl, "diff": diff}
    cells: dict[str, dict[str, Decimal | None]] = {}
    for row in ROWS:
        cells[row] = {}
        for column in COLUMNS:
            spec = CELLS[row].get(column)
            hidden = filters.narrowed and (row not in rows or column not in columns)
            cells[row][column] = None if spec is None or hidden else _value(lines[spec.line], spec)
    result = Matrix(filters, list(columns), list(rows), item, gl, diff, cells)
    if diff is not None and (explain or filters.show_warnings):
        wanted = [f for f in FIELDS if diff[f] != 0 and f in GL_SOURCES]
        if wanted:
            result.explanations = explain_differences(filters, diff, wanted)
    if diff is not None and filters.show_warnings:
        result.flags = warning_flags(filters, item, gl, diff, result.explanations)
        result.warnings = warning_cells(result)
    if not explain:
        result.explanations = {}
    return result


# ------------------------------------------------------------------------------------------------------ warnings


def _warning_texts() -> dict[str, tuple[str, str]]:
    """Short message and full explanation of each warning (3.5), in the user's language."""
    return {
        "expected_cost_setup": (
            _("Expected cost posting is off"),
            _(
                "Expected cost posting to the G/L is switched off in the inventory setup, so the interim G/L "
                "accounts stay empty while the inventory ledger holds expected cost. That gap shows here as a "
                "difference between the inventory figures and the G/L totals."
            ),
        ),
        "cost_not_posted": (
            _("Cost not posted to G/L"),
            _(
                "Some cost amounts in the inventory ledger have not been posted to the G/L yet. Run Post Inventory "
                "Cost to G/L to bring the two ledgers into line."
            ),
        ),
        "direct_postings": (
            _("Posted directly to G/L"),
            _(
                "Some amounts were posted straight to an inventory-related G/L account, without going through the "
                "inventory ledger."
            ),
        ),
        "posting_date": (
            _("Posting dates differ"),
            _(
                "Within the reporting period, the posting date of a value entry and the posting date of the G/L "
                "entry that belongs to it do not agree."
            ),
        ),
        "closed_fiscal_year": (
            _("Closed fiscal year"),
            _(
                "Some cost amounts were posted in a closed fiscal year, so the inventory-related totals differ from "
                "their G/L accounts in the income statement."
            ),
        ),
        "deleted_accounts": (
            _("Deleted G/L accounts"),
            _("Inventory-related G/L accounts may have been deleted while restructuring the chart of accounts."),
        ),
    }


# Display priority (3.5, GetWarningText) of the warnings Costbook can raise. Compression, posting group and similar
# accounts are never set (no date compression; the last two are never set by the reference either). Closed fiscal
# year and deleted accounts keep their place although they cannot fire yet (docs/reconciliation.md).
PRIORITY = [
    "expected_cost_setup",
    "cost_not_posted",
    "direct_postings",
    "posting_date",
    "closed_fiscal_year",
    "deleted_accounts",
]


def _waiting_q(expected_posting: bool = False) -> Q:
    """Value entries with cost still to post to the G/L (actual, and expected when expected-cost posting is on).

    Every such entry waits in the Post Value Entry to G/L queue (invariant I3), so the queue finds the few among
    millions; the posted amounts are ``ValueEntry.objects``' annotations (costing.models.ValueEntryGLPosting).
    """
    differs = ~Q(cost_posted_to_gl=F("cost_amount_actual"))
    if expected_posting:
        differs |= ~Q(expected_cost_posted_to_gl=F("cost_amount_expected"))
    return Q(Exists(PostValueEntryToGL.objects.filter(value_entry=OuterRef("pk")))) & differs


def _expected_not_posted_q() -> Q:
    """Expected cost not posted (expected-cost posting off: never queued). ``cost_amount_expected <> 0`` lets the
    partial index ve_expected_cost_date find the entries that carry expected cost at all."""
    return ~Q(cost_amount_expected=0) & ~Q(expected_cost_posted_to_gl=F("cost_amount_expected"))


def _value_entries(filters: Filters):
    qs = ValueEntry.objects.all()
    if filters.date_from:
        qs = qs.filter(posting_date__gte=filters.date_from)
    if filters.date_to:
        qs = qs.filter(posting_date__lte=filters.date_to)
    if filters.item:
        qs = qs.filter(item_id=filters.item)
    if filters.location:
        qs = qs.filter(location_id=filters.location)
    return qs


def manual_gl_entries_exist(filters: Filters) -> bool:
    accounts = sorted({no for numbers in gl_accounts().values() for no in numbers})
    return cause_gl_entries(filters, accounts, "manual_gl").exists()


def _undated_reconciles() -> bool:
    undated = Filters()
    item, gl = item_fields(undated), gl_fields(undated)
    return all(gl.get(name, ZERO) - item[name] == 0 for name in GL_SOURCES)


def warning_flags(filters: Filters, item, gl, diff, explanations=None) -> dict[str, bool]:
    """3.5: the expected cost check, then the first of the ordered checks that applies."""
    flags = dict.fromkeys(PRIORITY, False)
    if any(diff[f] != 0 for f in ("inventory_interim", "wip_inventory", "invt_accrual_interim", "cogs_interim")):
        flags["expected_cost_setup"] = not InventorySetup.get().expected_cost_posting_to_gl
    if all(diff[name] == 0 for name in GL_SOURCES):
        return flags
    # 1. Cost is posted to G/L: a value entry in the filter whose actual cost is not (fully) posted.
    if _value_entries(filters).filter(_waiting_q()).exists():
        flags["cost_not_posted"] = True
        return flags
    # 2. Date compression (Costbook never compresses), 3. closed fiscal year overlap (no fiscal years yet) and
    # 4. deleted G/L accounts (accounts with entries are PROTECTed) cannot apply.
    # 5. Posting date: the whole inventory value, undated, equals the Inventory accounts' net change in the filter
    # (the reference's test), or a G/L entry and its value entry fall on different sides of the filter, or the
    # ledgers agree when the date filter is taken away (so only dates can make them differ).
    if filters.dated:
        undated = item_fields(Filters())["inventory"]
        dated_causes = any(
            cause["code"] in DATE_CAUSES for exp in (explanations or {}).values() for cause in exp["causes"]
        )
        if undated - gl["inventory"] == 0 or dated_causes or _undated_reconciles():
            flags["posting_date"] = True
            return flags
    # 6. Direct postings: the Difference figures do not add up to zero, or G/L entries with no value entry behind
    # them sit on the inventory-related accounts in the period.
    if sum((diff[f] for f in DIRECT_POSTING_FIELDS), ZERO) != 0 or manual_gl_entries_exist(filters):
        flags["direct_postings"] = True
    return flags


def warning_cells(result: Matrix) -> dict[str, dict[str, dict]]:
    """The warning of each Difference cell that is not zero, by priority (3.5 display)."""
    texts = _warning_texts()
    out: dict[str, dict[str, dict]] = {}
    for row in result.rows:
        for column in result.columns:
            spec = CELLS[row].get(column)
            if spec is None or spec.line != "diff" or result.diff[spec.field] == 0:
                continue
            for code in PRIORITY:
                if not result.flags.get(code):
                    continue
                if code == "expected_cost_setup" and spec.field not in EXPECTED_COST_FIELDS:
                    continue
                message, explanation = texts[code]
                out.setdefault(row, {})[column] = {"code": code, "message": message, "explanation": explanation}
                break
    return out


# -------------------------------------------------------------------------------------------------- explanations


def contribution(field_name: str, act=None, exp=None, sign: int = 1):
    """ORM expression: what one value entry adds to a field (3.3), from the given actual and expected amounts."""
    act = act if act is not None else F("cost_amount_actual")
    exp = exp if exp is not None else F("cost_amount_expected")
    whens = []
    for term in FIELDS[field_name]:
        parts = []
        if term.act:
            parts.append(act * Value(term.act * sign))
        if term.exp:
            parts.append(exp * Value(term.exp * sign))
        amount = parts[0] if len(parts) == 1 else parts[0] + parts[1]
        whens.append(When(term.q(), then=amount))
    return Case(*whens, default=Value(ZERO), output_field=AMOUNT)


def _field_q(field_name: str, kind: str | None = None) -> Q:
    q = Q(pk__in=[])
    for term in FIELDS[field_name]:
        if kind in (None, "", term.kind):
            q |= term.q()
    return q


DATE_CAUSES = ("gl_dated_outside", "ve_posted_outside")
CAUSES = ["not_posted", "expected_cost_setup", "manual_gl", "gl_dated_outside", "ve_posted_outside", "other"]


def _cause_names() -> dict[str, str]:
    return {
        "not_posted": _("Value entries not yet posted to the G/L"),
        "expected_cost_setup": _("Expected cost not posted (expected cost posting is off)"),
        "manual_gl": _("G/L entries posted directly, without a value entry"),
        "gl_dated_outside": _("G/L entries in the period whose value entries are dated outside it"),
        "ve_posted_outside": _("Value entries in the period whose G/L entries are dated outside it"),
        "other": _("Not traceable to single entries (an account in several setup fields, or setup changed)"),
    }


def _unposted_parts(expected_posting: bool):
    """(actual, expected) amounts of a value entry still to post, by cause."""
    act_left = F("cost_amount_actual") - F("cost_posted_to_gl")
    exp_left = F("cost_amount_expected") - F("expected_cost_posted_to_gl")
    zero = Value(ZERO)
    if expected_posting:
        return {"not_posted": (act_left, exp_left)}
    return {"not_posted": (act_left, zero), "expected_cost_setup": (zero, exp_left)}


def cause_value_entries(filters: Filters, field_name: str, cause: str, expected_posting: bool):
    """Value entries behind one cause of a difference, annotated with ``amount``: their share of the difference."""
    qs = _value_entries(filters).filter(_field_q(field_name))
    if cause in ("not_posted", "expected_cost_setup"):
        act, exp = _unposted_parts(expected_posting)[cause]
        waiting = _waiting_q(expected_posting) if cause == "not_posted" else _expected_not_posted_q()
        qs = qs.filter(waiting)
        return qs.annotate(amount=contribution(field_name, act, exp, sign=-1)).exclude(amount=0)
    if cause == "ve_posted_outside":
        outside = GLItemLedgerRelation.objects.filter(value_entry=OuterRef("pk")).exclude(
            _gl_date_q(filters, "gl_entry__posting_date")
        )
        qs = qs.filter(Exists(outside))
        return qs.annotate(
            amount=contribution(field_name, F("cost_posted_to_gl"), F("expected_cost_posted_to_gl"), sign=-1)
        ).exclude(amount=0)
    raise ValueError(cause)


def _gl_date_q(filters: Filters, path: str = "posting_date") -> Q:
    q = Q()
    if filters.date_from:
        q &= Q(**{f"{path}__gte": filters.date_from})
    if filters.date_to:
        q &= Q(**{f"{path}__lte": filters.date_to})
    return q


def cause_gl_entries(filters: Filters, accounts: list[str], cause: str):
    """G/L entries behind one cause of a difference, annotated with ``amount`` as it stands."""
    qs = GLEntry.objects.filter(_gl_date_q(filters), gl_account_id__in=accounts)
    related = GLItemLedgerRelation.objects.filter(gl_entry=OuterRef("pk"))
    if cause == "manual_gl":
        # Post Inventory Cost to G/L writes the relation with every entry it posts, so only other source codes
        # need the look-up (and a partial index holds just those).
        return qs.exclude(source_code=gl_posting.SOURCE_CODE).filter(~Exists(related))
    if cause == "gl_dated_outside":
        inside = related.filter(_gl_date_q(filters, "value_entry__posting_date"))
        return qs.filter(Exists(related), ~Exists(inside))
    raise ValueError(cause)


def explain_differences(filters: Filters, diff: dict[str, Decimal], fields: list[str]) -> dict[str, dict]:
    """For each field with a difference: the causes, each with its entries and amounts, adding up to the difference.

    G/L side: entries on the field's accounts with no value entry behind them (manual postings), and entries whose
    value entries lie outside the date filter. Inventory side: the part of each value entry not yet posted (split off
    as expected cost when expected cost posting is off), and posted entries whose G/L entries lie outside the filter.
    Whatever is left (an account in two setup fields, setup changed after posting) is shown as one line, so the
    causes always add up to the difference to the cent.
    """
    expected_posting = InventorySetup.get().expected_cost_posting_to_gl
    accounts = gl_accounts()
    names = _cause_names()
    out = {}
    for name in fields:
        causes = []
        querysets = {
            "not_posted": cause_value_entries(filters, name, "not_posted", expected_posting),
            "manual_gl": cause_gl_entries(filters, accounts[name], "manual_gl"),
        }
        if not expected_posting:
            querysets["expected_cost_setup"] = cause_value_entries(filters, name, "expected_cost_setup", False)
        explained = ZERO
        for code in CAUSES:
            if code in DATE_CAUSES and filters.dated and explained != diff[name] and code not in querysets:
                # Post Inventory Cost to G/L dates each G/L entry as its value entry, so entries on different sides
                # of the date filter are looked for (an expensive join) only when something is left to explain.
                querysets["gl_dated_outside"] = cause_gl_entries(filters, accounts[name], "gl_dated_outside")
                querysets["ve_posted_outside"] = cause_value_entries(
                    filters, name, "ve_posted_outside", expected_posting
                )
            qs = querysets.get(code)
            if qs is None:
                continue
            totals = qs.aggregate(n=Count("pk"), s=Coalesce(Sum("amount"), Value(ZERO), output_field=AMOUNT))
            if not totals["n"]:
                continue
            entries = [_entry_row(code, e) for e in qs.order_by("pk")[:EXPLAIN_SAMPLE]]
            causes.append(
                {"code": code, "name": names[code], "amount": totals["s"], "count": totals["n"], "entries": entries}
            )
            explained += totals["s"]
        rest = diff[name] - explained
        if rest != 0:
            causes.append({"code": "other", "name": names["other"], "amount": rest, "count": 0, "entries": []})
        out[name] = {"difference": diff[name], "causes": causes}
    return out


def _entry_row(code: str, entry) -> dict:
    if isinstance(entry, GLEntry):
        return {
            "kind": "gl_entry",
            "entry_no": entry.entry_no,
            "posting_date": entry.posting_date,
            "document_no": entry.document_no,
            "description": entry.description or entry.gl_account_id,
            "amount": entry.amount,
        }
    return {
        "kind": "value_entry",
        "entry_no": entry.entry_no,
        "posting_date": entry.posting_date,
        "document_no": entry.document_no,
        "description": f"{entry.get_entry_type_display()} {entry.item_id or entry.capacity_no}",
        "amount": entry.amount,
    }


def unposted_entry_numbers(filters: Filters) -> list[int]:
    """Value entries in the filter still waiting in the Post Value Entry to G/L queue with something to post."""
    expected_posting = InventorySetup.get().expected_cost_posting_to_gl
    return list(
        _value_entries(filters).filter(_waiting_q(expected_posting)).order_by("pk").values_list("pk", flat=True)
    )


# ---------------------------------------------------------------------------------------------------- drill-down


@dataclass
class Drilldown:
    row: str
    column: str
    source: str  # value_entries | gl_entries | explanation
    kind: str
    kinds: list[tuple[str, str]]
    queryset: object
    cell: Decimal | None
    field: str
    total: Decimal = ZERO
    count: int = 0
    other: Decimal = ZERO  # part of a difference not traceable to entries (explanation drill-down only)


class DrilldownError(ValueError):
    pass


def drilldown(filters: Filters, row: str, column: str, kind: str = "") -> Drilldown:
    """The entries behind one cell, each with ``amount``: its share of the cell; the amounts add up to the cell."""
    if row not in ROWS or column not in COLUMNS:
        raise DrilldownError(_("Unknown row or column."))
    spec = CELLS[row].get(column)
    if spec is None:
        raise DrilldownError(_("This cell is always empty."))
    if filters.narrowed and spec.line != "item":
        raise DrilldownError(_("G/L figures are not shown with an item or location filter."))
    if spec.line == "item":
        choices = kinds(spec.field)
        if kind and kind not in choices:
            raise DrilldownError(_("Unknown choice for this cell."))
        qs = _value_entries(filters).filter(_field_q(spec.field, kind or None))
        qs = qs.annotate(amount=contribution(spec.field, sign=spec.sign)).order_by("entry_no")
        result = Drilldown(
            row, column, "value_entries", kind, [(k, str(KIND_NAMES[k])) for k in choices], qs, None, spec.field
        )
    elif spec.line == "gl":
        if kind:
            raise DrilldownError(_("Unknown choice for this cell."))
        accounts = gl_accounts().get(spec.field, [])
        qs = GLEntry.objects.filter(_gl_date_q(filters), gl_account_id__in=accounts).order_by("entry_no")
        result = Drilldown(row, column, "gl_entries", "", [], qs, None, spec.field)
    else:
        cell_value = matrix(filters, explain=False).cell(row, column)
        result = _difference_drilldown(filters, row, column, spec, kind, cell_value)
    if spec.line == "item":
        # Counts and sums from the daily summary: the same conditions, without reading every entry.
        result.count, result.total = field_totals(filters, spec.field, kind, spec.sign)
        result.cell = field_totals(filters, spec.field, "", spec.sign)[1] if kind else result.total
    elif spec.line == "gl":
        result.count, result.total = gl_totals(accounts, filters)
        result.cell = result.total
    else:
        totals = _totals(result.queryset)
        result.total, result.count = totals["s"], totals["n"]
    if result.count == 0:
        result.queryset = result.queryset.none()
    return result


def _totals(queryset) -> dict:
    return queryset.order_by().aggregate(n=Count("pk"), s=Coalesce(Sum("amount"), Value(ZERO), output_field=AMOUNT))


def _difference_drilldown(filters, row, column, spec, kind, cell_value) -> Drilldown:
    """A Difference figure drills down to its explanation: pick a cause; its entries add up to that cause."""
    names = _cause_names()
    if spec.field not in GL_SOURCES:
        raise DrilldownError(_("This cell is always empty."))
    diff = {spec.field: cell_value}
    exp = explain_differences(filters, diff, [spec.field])[spec.field] if cell_value else {"causes": []}
    present = [c["code"] for c in exp["causes"] if c["code"] != "other"]
    other = next((c["amount"] for c in exp["causes"] if c["code"] == "other"), ZERO)
    if kind and kind not in CAUSES[:-1]:
        raise DrilldownError(_("Unknown choice for this cell."))
    kind = kind or (present[0] if present else "")
    choices = [(c, names[c]) for c in present] or ([(kind, names[kind])] if kind else [])
    expected_posting = InventorySetup.get().expected_cost_posting_to_gl
    if not kind:
        qs = ValueEntry.objects.none().annotate(amount=Value(ZERO, output_field=AMOUNT))
    elif kind in ("manual_gl", "gl_dated_outside"):
        qs = cause_gl_entries(filters, gl_accounts()[spec.field], kind).order_by("entry_no")
    else:
        qs = cause_value_entries(filters, spec.field, kind, expected_posting).order_by("entry_no")
    source = "gl_entries" if kind in ("manual_gl", "gl_dated_outside") else "value_entries"
    return Drilldown(row, column, source, kind, choices, qs, cell_value, spec.field, other=other)


# ---------------------------------------------------------------------------------------------------------- chart


@dataclass
class Chart:
    days: list[date]
    subledger: list[Decimal]
    gl: list[Decimal]
    first_divergence: date | None


MAX_CHART_DAYS = 3660


def daily_balances(filters: Filters) -> Chart | None:
    """Inventory value in the subledger (Inventory field, 3.3) and the Inventory accounts' balance, day by day."""
    accounts = gl_accounts()["inventory"]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT min(d), max(d) FROM (SELECT min(posting_date) d FROM reconciliation_ve_day UNION ALL "
            "SELECT max(posting_date) FROM reconciliation_ve_day UNION ALL "
            "SELECT min(posting_date) FROM reconciliation_gl_day WHERE gl_account_id = ANY(%s) UNION ALL "
            "SELECT max(posting_date) FROM reconciliation_gl_day WHERE gl_account_id = ANY(%s)) x",
            [accounts, accounts],
        )
        first, last = cur.fetchone()
    start = filters.date_from or first
    end = filters.date_to or last
    if start is None or end is None or end < start:
        return None
    if (end - start).days >= MAX_CHART_DAYS:
        start = end - timedelta(days=MAX_CHART_DAYS - 1)
    sub_by_day: dict[date, Decimal] = defaultdict(lambda: ZERO)
    gl_by_day: dict[date, Decimal] = defaultdict(lambda: ZERO)
    with connection.cursor() as cur:
        cur.execute(
            "SELECT greatest(posting_date, %s), sum(act) FROM reconciliation_ve_day "
            "WHERE ile <> '' AND posting_date <= %s GROUP BY 1",
            [start, end],
        )
        for day, value in cur.fetchall():
            sub_by_day[day] += value
        cur.execute(
            "SELECT greatest(posting_date, %s), sum(amount) FROM reconciliation_gl_day "
            "WHERE gl_account_id = ANY(%s) AND posting_date <= %s GROUP BY 1",
            [start, accounts, end],
        )
        for day, value in cur.fetchall():
            gl_by_day[day] += value
    days, sub, gl = [], [], []
    running_sub = running_gl = ZERO
    divergence = None
    day = start
    while day <= end:
        running_sub += sub_by_day.get(day, ZERO)
        running_gl += gl_by_day.get(day, ZERO)
        days.append(day)
        sub.append(running_sub)
        gl.append(running_gl)
        if divergence is None and running_sub != running_gl:
            divergence = day
        day += timedelta(days=1)
    return Chart(days, sub, gl, divergence)

"""The valuation reports at scale: a year of ~1,000,000 value entries (with their item ledger and application
entries, production orders and the G/L postings on the Inventory account).

Builds the data set-based (INSERT ... SELECT generate_series) in a throwaway database that this script creates and
drops, then times each report (median of RUNS; budget 5 s each) and records the figures with bench/record.py.
Exits 1 when a budget is missed.

    .venv/bin/python bench/bench_reports.py [value_entries]
"""

import os
import statistics
import sys
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(Path(__file__).resolve().parent)]

import benchdb  # noqa: E402

ENTRIES = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
DAYS = 365
ITEMS = 200
BUDGET = 5.0
RUNS = 3
# Per "pair" k: a purchase of 10 (direct + indirect cost value entries, a revaluation on every other one) and a sale
# of 4 applied to it: 3.5 value entries a pair. Every 50th pair also carries a production order (consumption,
# capacity and output value entries).
PAIRS = int(ENTRIES / 3.5)

PAIR = (
    "SELECT k, 'B' || lpad((k %% {items})::text, 4, '0') AS item_no,"
    " CASE WHEN k %% 3 = 0 THEN NULL WHEN k %% 3 = 1 THEN 'EAST' ELSE 'WEST' END AS loc,"
    " DATE '2025-01-01' + (k * {days} / {pairs}) AS day, ((k %% 97) + 1)::numeric AS unit"
    " FROM generate_series(0, {pairs} - 1) k"
)

ILE_SQL = """
INSERT INTO costing_item_ledger_entry (entry_no, item_no, posting_date, entry_type, document_no, external_document_no,
    description, location_code, quantity, remaining_quantity, invoiced_quantity, open, positive, completely_invoiced,
    applies_to_entry, applied_entry_to_adjust, gen_bus_posting_group_id, order_type, order_no, order_line_no,
    transferred_from_entry, register_no, created_at)
SELECT 2 * p.k + s.n, p.item_no, p.day, CASE WHEN s.n = 1 THEN 'purchase' ELSE 'sale' END, 'D' || p.k, '', '',
       p.loc, CASE WHEN s.n = 1 THEN 10 ELSE -4 END, CASE WHEN s.n = 1 THEN 6 ELSE 0 END,
       CASE WHEN s.n = 1 THEN 10 ELSE -4 END, s.n = 1, s.n = 1, true, NULL, false, NULL, '', '', 0, NULL, 1, now()
FROM ({pair}) p CROSS JOIN (VALUES (1), (2)) s(n)
"""

IAE_SQL = """
INSERT INTO costing_item_application_entry (entry_no, item_ledger_entry_no, inbound_item_entry_no,
    outbound_item_entry_no, quantity, posting_date, cost_application, outbound_entry_is_updated, created_at)
SELECT 2 * p.k + s.n, 2 * p.k + s.n, 2 * p.k + 1, CASE WHEN s.n = 2 THEN 2 * p.k + 2 END,
       CASE WHEN s.n = 1 THEN 10 ELSE -4 END, p.day, false, true, now()
FROM ({pair}) p CROSS JOIN (VALUES (1), (2)) s(n)
"""

# s.n: 1 purchase direct cost, 2 purchase indirect cost, 3 sale direct cost, 4 revaluation (every other pair).
VE_SQL = """
INSERT INTO costing_value_entry (entry_no, item_ledger_entry_no, item_no, item_ledger_entry_type, entry_type,
    variance_type, posting_date, valuation_date, document_no, external_document_no, description, adjustment,
    expected_cost, item_charge, item_ledger_entry_quantity, valued_quantity, invoiced_quantity, cost_per_unit,
    cost_amount_actual, cost_amount_expected, valued_by_average_cost,
    location_code, inventory_posting_group_id, gen_bus_posting_group_id, gen_prod_posting_group_id, source_code,
    order_type, order_no, order_line_no, source_no, capacity_no, register_no, created_at)
SELECT 4 * p.k + s.n, CASE WHEN s.n = 3 THEN 2 * p.k + 2 ELSE 2 * p.k + 1 END, p.item_no,
       CASE WHEN s.n = 3 THEN 'sale' ELSE 'purchase' END,
       CASE s.n WHEN 2 THEN 'indirect_cost' WHEN 4 THEN 'revaluation' ELSE 'direct_cost' END, '',
       p.day + CASE WHEN s.n = 4 THEN 1 ELSE 0 END, p.day + CASE WHEN s.n = 4 THEN 1 ELSE 0 END, 'D' || p.k, '', '',
       false, false, false,
       CASE s.n WHEN 1 THEN 10 WHEN 3 THEN -4 ELSE 0 END, CASE s.n WHEN 3 THEN -4 ELSE 10 END,
       CASE s.n WHEN 1 THEN 10 WHEN 2 THEN 10 WHEN 3 THEN -4 ELSE 0 END, p.unit,
       a.amt, 0, false, p.loc, 'RESALE', NULL, 'RETAIL', 'BENCH', '', '', 0, '', '', 1, now()
FROM ({pair}) p CROSS JOIN (VALUES (1), (2), (3), (4)) s(n)
CROSS JOIN LATERAL (SELECT CASE s.n WHEN 1 THEN 10 * p.unit WHEN 2 THEN 1.00 WHEN 3 THEN -4 * p.unit - 0.40
                                    ELSE 6 * 0.5 END AS amt) a
WHERE s.n < 4 OR p.k %% 2 = 0
"""

# Production orders: consumption of 4 from the pair's purchase, capacity 20.00 + 2.00, output of 1 valued 22.00 plus
# the consumed cost (WIP empties for finished orders; every 7th order stays open).
PRODUCTION_SQL = """
INSERT INTO costing_value_entry (entry_no, item_ledger_entry_no, item_no, item_ledger_entry_type, entry_type,
    variance_type, posting_date, valuation_date, document_no, external_document_no, description, adjustment,
    expected_cost, item_charge, item_ledger_entry_quantity, valued_quantity, invoiced_quantity, cost_per_unit,
    cost_amount_actual, cost_amount_expected, valued_by_average_cost,
    location_code, inventory_posting_group_id, gen_bus_posting_group_id, gen_prod_posting_group_id, source_code,
    order_type, order_no, order_line_no, source_no, capacity_no, register_no, created_at)
SELECT 4 * {pairs} + 3 * (p.k / 50) + s.n, NULL, CASE WHEN s.n = 3 THEN NULL ELSE p.item_no END, '',
       CASE s.n WHEN 2 THEN 'indirect_cost' ELSE 'direct_cost' END, '', p.day, p.day, 'PO' || p.k, '', '',
       false, false, false, 0, 1, 1, 0, CASE s.n WHEN 1 THEN 20 WHEN 2 THEN 2 ELSE 0 END, 0, false, p.loc,
       'RESALE', NULL, 'RETAIL', 'BENCH', 'production', 'PO' || p.k, 0, '', 'WC1', 1, now()
FROM ({pair}) p CROSS JOIN (VALUES (1), (2)) s(n)
WHERE p.k %% 50 = 0
"""


def build():
    from django.db import connection, transaction

    from tests.books import company

    company()
    pair = PAIR.format(items=ITEMS, days=DAYS, pairs=PAIRS)
    started = time.perf_counter()
    with transaction.atomic(), connection.cursor() as cur:
        cur.execute(
            "INSERT INTO costing_item (no, description, base_unit_of_measure, costing_method, unit_cost, standard_cost,"
            " last_direct_cost, indirect_cost_percent, overhead_rate, inventory_posting_group_id,"
            " gen_prod_posting_group_id, cost_is_adjusted, allow_online_adjustment, excluded_from_cost_adjustment,"
            " blocked) SELECT 'B' || lpad(i::text, 4, '0'), 'Bench item', 'PCS', 'fifo', 1, 0, 1, 0, 0, 'RESALE',"
            " 'RETAIL', true, true, false, false FROM generate_series(0, %s) i",
            [ITEMS - 1],
        )
        cur.execute(
            "INSERT INTO costing_item_register (no, from_entry_no, to_entry_no, from_value_entry_no, to_value_entry_no,"
            " source_code, created_at) VALUES (1, 1, %s, 1, %s, 'BENCH', now())",
            [2 * PAIRS, 5 * PAIRS],
        )
        cur.execute(ILE_SQL.format(pair=pair).replace("%%", "%"))
        cur.execute(IAE_SQL.format(pair=pair).replace("%%", "%"))
        cur.execute(VE_SQL.format(pair=pair).replace("%%", "%"))
        # These are posted in full (their cost posted to G/L, beside them: costing.models.ValueEntryGLPosting); the
        # production entries below are not.
        cur.execute(
            "INSERT INTO costing_value_entry_gl_posting (value_entry_no, cost_posted_to_gl, expected_cost_posted_to_gl)"
            " SELECT entry_no, cost_amount_actual, 0 FROM costing_value_entry WHERE cost_amount_actual <> 0"
        )
        cur.execute(PRODUCTION_SQL.format(pair=pair, pairs=PAIRS).replace("%%", "%"))
        # The G/L: one transaction a day, Inventory against Direct Cost Applied, for the inventory value entries.
        cur.execute(
            "INSERT INTO ledger_gl_register (no, from_entry_no, to_entry_no, source_code, created_at)"
            " VALUES (1, 1, %s, 'INVTPCOST', now())",
            [2 * DAYS + 2],
        )
        cur.execute(
            "INSERT INTO ledger_gl_transaction (no, register_no, created_at)"
            " SELECT DISTINCT (posting_date - DATE '2025-01-01') + 1, 1, now() FROM costing_value_entry"
            " WHERE item_ledger_entry_no IS NOT NULL"
        )
        cur.execute(
            "INSERT INTO ledger_gl_entry (entry_no, transaction_no, register_no, gl_account_id, posting_date,"
            " document_no, external_document_no, description, amount, source_code, system_created, created_at)"
            " SELECT 2 * row_number() OVER (ORDER BY day) - 1 + k, (day - DATE '2025-01-01') + 1, 1,"
            " CASE WHEN k = 0 THEN '2130' ELSE '7291' END, day, 'GL' || day, '', '',"
            " CASE WHEN k = 0 THEN amount ELSE -amount END, 'INVTPCOST', true, now()"
            " FROM (SELECT posting_date AS day, sum(cost_amount_actual) AS amount FROM costing_value_entry"
            "       WHERE item_ledger_entry_no IS NOT NULL GROUP BY 1) d CROSS JOIN (VALUES (0), (1)) l(k)"
        )
        cur.execute(
            "INSERT INTO core_counter (name, last) VALUES ('gl_entry', %s), ('gl_transaction', %s), ('gl_register', 1),"
            " ('value_entry', %s), ('item_ledger_entry', %s), ('item_register', 1)"
            " ON CONFLICT (name) DO UPDATE SET last = EXCLUDED.last",
            [2 * DAYS + 2, DAYS + 1, 5 * PAIRS, 2 * PAIRS],
        )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    return time.perf_counter() - started


def timed(fn, runs=RUNS):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def main():
    # A throwaway database of this benchmark's own: created, migrated, and dropped at the end (BENCH_KEEP_DB keeps it).
    with benchdb.bench_database("reports", keep=bool(os.environ.get("BENCH_KEEP_DB"))):
        built = build()
        from django.db import connection

        from costing.exports import xlsx_bytes
        from reports import selectors
        from reports.exports import pdf_bytes
        from reports.exports import sheets as report_sheets
        from reports.selectors import ReportFilters

        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM costing_value_entry")
            ve_count = cur.fetchone()[0]
            cur.execute("SELECT count(*) FROM costing_item_ledger_entry")
            ile_count = cur.fetchone()[0]
        print(f"built {ve_count:,} value entries and {ile_count:,} item ledger entries in {built:.1f} s")
        year = {"date_from": date(2025, 1, 1), "date_to": date(2025, 12, 31)}
        cases = {
            "valuation_year": (selectors.inventory_valuation, ReportFilters(**year)),
            "valuation_h2_expected": (
                selectors.inventory_valuation,
                ReportFilters(date_from=date(2025, 7, 1), date_to=date(2025, 12, 31), include_expected_cost=True),
            ),
            "valuation_one_item": (selectors.inventory_valuation, ReportFilters(item="B0042", **year)),
            "valuation_chart": (selectors.valuation_chart, ReportFilters(**year)),
            "cost_spec_year_end": (selectors.cost_spec, ReportFilters(as_of=date(2025, 12, 31))),
            "wip_year": (selectors.inventory_valuation_wip, ReportFilters(**year)),
            "cost_shares_sales_year": (selectors.cost_shares_breakdown, ReportFilters(**year)),
            "cost_shares_sales_month": (
                selectors.cost_shares_breakdown,
                ReportFilters(date_from=date(2025, 6, 1), date_to=date(2025, 6, 30)),
            ),
            "inventory_as_of_mid_year": (selectors.inventory_as_of, ReportFilters(as_of=date(2025, 6, 30))),
        }
        figures = {"value_entries": ve_count, "item_ledger_entries": ile_count, "build_s": round(built, 2)}
        missed = []
        for name, (fn, filters) in cases.items():
            seconds, result = timed(lambda f=fn, x=filters: f(x))
            size = len(result.rows) if hasattr(result, "rows") else len(result["series"])
            extra = ""
            if name == "valuation_year":
                extra = f"   closing {result.totals['closing_value']:,.2f}, G/L ties: {result.gl['ties']}"
                figures["valuation_ties"] = result.gl["ties"]
            print(f"{name:<26} {seconds * 1000:8.1f} ms   {size:,} rows{extra}")
            figures[f"{name}_ms"] = round(seconds * 1000, 1)
            if seconds > BUDGET:
                missed.append(name)
        report = selectors.inventory_valuation(ReportFilters(**year))
        for label, render in (("xlsx", lambda: xlsx_bytes(report_sheets(report))), ("pdf", lambda: pdf_bytes(report))):
            seconds, _ = timed(render)
            print(f"export_{label:<19} {seconds * 1000:8.1f} ms")
            figures[f"export_valuation_{label}_ms"] = round(seconds * 1000, 1)
        from record import record

        record(
            "reports", figures, value_entries=ENTRIES, days=DAYS, items=ITEMS, runs=RUNS, budget_s=BUDGET, missed=missed
        )
        if missed:
            print("budget missed:", ", ".join(missed))
            return 1
        return 0


if __name__ == "__main__":
    sys.exit(main())

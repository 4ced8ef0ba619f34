"""Inventory - G/L Reconciliation at scale: ~1,000,000 value entries and their ~2,000,000 G/L entries.

Builds the data set-based (INSERT ... SELECT generate_series) in a throwaway database that this script creates and
drops, then times the matrix for several filters (budget 1 s) and the first page of a drill-down (budget 200 ms),
each next to the PostgreSQL floor: a plain SUM over the same rows. Exits 1 when a budget is missed.

    .venv/bin/python bench/bench_reconciliation.py [value_entries]
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
DAYS = 730
ITEMS = 200
MATRIX_BUDGET = 1.0
DRILLDOWN_BUDGET = 0.2
RUNS = 5

# Value entries: entry i falls on day i % DAYS and is, by i % 10: 0-3 purchase direct cost, 4 purchase indirect cost,
# 5-7 sale direct cost, 8 positive adjustment, 9 revaluation of a sale. Every one is posted to the G/L (two lines:
# Inventory and its balancing account), one G/L transaction per day, linked through the G/L - item ledger relation.
VALUE_ENTRIES_SQL = """
INSERT INTO costing_value_entry (
    entry_no, item_no, item_ledger_entry_type, entry_type, variance_type, posting_date, valuation_date, document_no,
    external_document_no, description, adjustment, expected_cost, item_charge, item_ledger_entry_quantity,
    valued_quantity, invoiced_quantity, cost_per_unit, cost_amount_actual, cost_amount_expected,
    valued_by_average_cost, location_code, inventory_posting_group_id,
    gen_bus_posting_group_id, gen_prod_posting_group_id, source_code, order_type, order_no, order_line_no, source_no,
    capacity_no, register_no, created_at)
SELECT i, 'B' || lpad((i %% %(items)s)::text, 4, '0'),
       CASE WHEN i %% 10 < 5 THEN 'purchase' WHEN i %% 10 < 8 THEN 'sale' WHEN i %% 10 = 8 THEN 'positive_adjmt'
            ELSE 'sale' END,
       CASE WHEN i %% 10 = 4 THEN 'indirect_cost' WHEN i %% 10 = 9 THEN 'revaluation' ELSE 'direct_cost' END,
       '', DATE '2024-01-01' + (i %% %(days)s), DATE '2024-01-01' + (i %% %(days)s), 'D' || (i / 10), '', '',
       i %% 10 = 9, false, false, 1, 1, 1, 1, amt, 0, false,
       CASE WHEN i %% 3 = 0 THEN NULL WHEN i %% 3 = 1 THEN 'EAST' ELSE 'WEST' END, 'RESALE', NULL, 'RETAIL', 'BENCH',
       '', '', 0, '', '', 1, now()
FROM (SELECT i, CASE WHEN i %% 10 IN (5, 6, 7) THEN -((i %% 997) + 1)::numeric / 4
                     WHEN i %% 10 = 9 THEN -((i %% 13) + 1)::numeric / 4
                     ELSE ((i %% 997) + 1)::numeric / 4 END AS amt
      FROM generate_series(1, %(n)s) i) s
"""

# Balancing account per value entry kind (costing reference 1.4).
CONTRA = (
    "CASE WHEN v.entry_no %% 10 < 4 THEN '7291' WHEN v.entry_no %% 10 = 4 THEN '7292' "
    "WHEN v.entry_no %% 10 < 8 THEN '7290' ELSE '7270' END"
)


def build():
    from django.db import connection, transaction

    from tests.books import company

    company()
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
            " source_code, created_at) VALUES (1, NULL, NULL, 1, %s, 'BENCH', now())",
            [ENTRIES],
        )
        cur.execute(VALUE_ENTRIES_SQL % {"items": ITEMS, "days": DAYS, "n": ENTRIES})
        # Every value entry is posted in full (its cost posted to G/L, beside it: costing.models.ValueEntryGLPosting).
        cur.execute(
            "INSERT INTO costing_value_entry_gl_posting (value_entry_no, cost_posted_to_gl, expected_cost_posted_to_gl)"
            " SELECT entry_no, cost_amount_actual, 0 FROM costing_value_entry"
        )
        cur.execute(
            "INSERT INTO ledger_gl_register (no, from_entry_no, to_entry_no, source_code, created_at)"
            " VALUES (1, 1, %s, 'INVTPCOST', now())",
            [2 * ENTRIES],
        )
        cur.execute(
            "INSERT INTO ledger_gl_transaction (no, register_no, created_at) SELECT d + 1, 1, now()"
            " FROM generate_series(0, %s) d",
            [DAYS - 1],
        )
        cur.execute(
            "INSERT INTO ledger_gl_entry (entry_no, transaction_no, register_no, gl_account_id, posting_date,"
            " document_no, external_document_no, description, amount, source_code, system_created, created_at)"
            " SELECT 2 * v.entry_no - 1 + k, (v.posting_date - DATE '2024-01-01') + 1, 1,"
            f" CASE WHEN k = 0 THEN '2130' ELSE {CONTRA} END, v.posting_date, v.document_no, '', '',"
            " CASE WHEN k = 0 THEN v.cost_amount_actual ELSE -v.cost_amount_actual END, 'INVTPCOST', true, now()"
            " FROM costing_value_entry v CROSS JOIN (VALUES (0), (1)) AS l(k)".replace("%%", "%")
        )
        cur.execute(
            "INSERT INTO costing_gl_item_ledger_relation (gl_entry_no, value_entry_no, gl_register_no, amount)"
            " SELECT 2 * v.entry_no - 1 + k, v.entry_no, 1,"
            " CASE WHEN k = 0 THEN v.cost_amount_actual ELSE -v.cost_amount_actual END"
            " FROM costing_value_entry v CROSS JOIN (VALUES (0), (1)) l(k)"
        )
        cur.execute(
            "INSERT INTO core_counter (name, last) VALUES ('gl_entry', %s), ('gl_transaction', %s), ('gl_register', 1),"
            " ('value_entry', %s), ('item_register', 1) ON CONFLICT (name) DO UPDATE SET last = EXCLUDED.last",
            [2 * ENTRIES, DAYS, ENTRIES],
        )
    with connection.cursor() as cur:
        cur.execute("ANALYZE")
    built = time.perf_counter() - started
    # One manual posting on the Inventory account, so the matrix has a difference to explain.
    from ledger.services import post_gl_journal

    post_gl_journal(
        [
            {"gl_account": "2130", "amount": "125.00", "posting_date": date(2025, 6, 30), "document_no": "MAN-1"},
            {"gl_account": "7270", "amount": "-125.00", "posting_date": date(2025, 6, 30), "document_no": "MAN-1"},
        ]
    )
    return built


def timed(fn, runs=RUNS):
    times, result = [], None
    for _ in range(runs):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return statistics.median(times), result


def floor_sql(filters):
    from django.db import connection

    from reconciliation.selectors import _gl_where, _ve_where

    where, params = _ve_where(filters)
    gwhere, gparams = _gl_where(filters)

    def run():
        with connection.cursor() as cur:
            cur.execute(
                f"SELECT sum(cost_amount_actual), sum(cost_amount_expected) FROM costing_value_entry WHERE {where}",
                params,
            )
            cur.fetchone()
            if not filters.narrowed:
                cur.execute(f"SELECT sum(g.amount) FROM ledger_gl_entry g WHERE {gwhere}", gparams)
                cur.fetchone()

    return run


def main():
    # A throwaway database of this benchmark's own: created, migrated, and dropped at the end (BENCH_KEEP_DB keeps it).
    with benchdb.bench_database("recon", keep=bool(os.environ.get("BENCH_KEEP_DB"))):
        built = build()
        from django.db import connection

        from reconciliation import selectors
        from reconciliation.selectors import Filters

        with connection.cursor() as cur:
            cur.execute("SELECT count(*) FROM costing_value_entry")
            ve_count = cur.fetchone()[0]
            cur.execute("SELECT count(*) FROM ledger_gl_entry")
            gl_count = cur.fetchone()[0]
        print(f"built {ve_count:,} value entries and {gl_count:,} G/L entries in {built:.1f} s")
        cases = {
            "all_dates": Filters(),
            "all_dates_warnings": Filters(show_warnings=True),
            "one_year_warnings": Filters(date_from=date(2025, 1, 1), date_to=date(2025, 12, 31), show_warnings=True),
            "one_month": Filters(date_from=date(2025, 6, 1), date_to=date(2025, 6, 30)),
            "one_item": Filters(item="B0042"),
            "one_location": Filters(location="EAST"),
        }
        figures = {"value_entries": ve_count, "gl_entries": gl_count, "build_s": round(built, 2)}
        missed = []
        for name, filters in cases.items():
            seconds, result = timed(lambda f=filters: selectors.matrix(f))
            floor, _ = timed(floor_sql(filters))
            diff = result.cell("difference", "inventory") if not filters.narrowed else None
            print(
                f"matrix {name:<20} {seconds * 1000:8.1f} ms   (floor: plain SUM {floor * 1000:7.1f} ms)"
                f"{'' if diff is None else f'   inventory difference {diff}'}"
            )
            figures[f"matrix_{name}_ms"] = round(seconds * 1000, 1)
            figures[f"floor_{name}_ms"] = round(floor * 1000, 1)
            if seconds > MATRIX_BUDGET:
                missed.append(f"matrix {name}")
        drill_cases = {
            "total_inventory_all": (Filters(), "total", "inventory", ""),
            "cogs_one_month": (Filters(date_from=date(2025, 6, 1), date_to=date(2025, 6, 30)), "cogs", "inventory", ""),
            "adjmt_revaluations": (Filters(), "inventory_adjmt", "inventory", "revaluations"),
            "gl_total_inventory_all": (Filters(), "gl_total", "inventory", ""),
            "difference_inventory": (Filters(), "difference", "inventory", ""),
        }
        for name, (filters, row, column, kind) in drill_cases.items():

            def first_page(f=filters, r=row, c=column, k=kind):
                dd = selectors.drilldown(f, r, c, k)
                return dd, list(dd.queryset[:50])

            seconds, (dd, page) = timed(first_page)
            print(f"drilldown {name:<24} {seconds * 1000:8.1f} ms   {dd.count:,} entries, total {dd.total}")
            figures[f"drilldown_{name}_ms"] = round(seconds * 1000, 1)
            if seconds > DRILLDOWN_BUDGET:
                missed.append(f"drilldown {name}")
        from record import record

        record(
            "reconciliation",
            figures,
            value_entries=ENTRIES,
            days=DAYS,
            items=ITEMS,
            runs=RUNS,
            budgets={"matrix_s": MATRIX_BUDGET, "drilldown_s": DRILLDOWN_BUDGET},
            missed=missed,
        )
        if missed:
            print("budget missed:", ", ".join(missed))
            return 1
        return 0


if __name__ == "__main__":
    sys.exit(main())

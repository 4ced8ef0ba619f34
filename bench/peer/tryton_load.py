"""The Tryton side: load bench/peer/workload.py's moves into Tryton 7.0 and time the operations Costbook also has.

    var/tryton/venv/bin/python bench/peer/tryton_load.py --database costbook_peer_tryton \
        --workload bench/results/workload-100000.jsonl [--limit 20000] [--batch 500] [--budget 900]

Runs in Tryton's own venv (var/tryton/venv, made by `make bench-peer`) against a database initialised by
`trytond-admin --all` with account_stock_continental and product_cost_fifo activated. Uses Tryton's server API
(Pool and Transaction, as a module's own code does): sets up a company, a fiscal year with continental stock
accounting and monthly periods, the minimal chart of accounts, one accounting product category, the items as products
(workload.TRYTON_METHOD maps the costing methods) and two storage locations EAST and WEST under the default warehouse.
Then it times:

    post_inprocess        stock.move create + do, in batches (do values each move and posts its stock account move)
    adjust_incremental    the back-dated receipt, then product.recompute_cost_price of its product from that date
    adjust_full           product.recompute_cost_price of every product from the start
    close_test            stock.period close at the end of the workload's sixth month
    matrix                the stock value (product cost_value at the warehouse) and the stock account's balance

and prints one JSON object with the figures on its last line (bench/peer/run_peer.py records it).

With ``--budget SECONDS`` posting stops after the first batch that brings its time past the budget, and the full
recompute likewise after the first group of products (they then go in transactions of ``--product-batch``). Tryton
posts a few dozen moves a second on the 2-core machine (24 to 67 on the machines measured), so the 1,000,000-move
workload would take hours to load; with a budget each figure says what it covers. A cut step records
``complete: false`` with what it did (``moves`` of ``of_moves``, ``products`` of ``of_products``): its seconds are a
lower bound of the whole step. The steps after a cut load run on the database as loaded (``on_prefix`` says how far),
where the back-dated receipt's product, the close and the stock value have fewer moves to read than on the whole
workload, so their seconds are lower bounds too.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import sys
import time
from datetime import date, timedelta
from decimal import Decimal
from itertools import islice
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

import tryton_fill  # noqa: E402
from workload import TRYTON_METHOD, backdated_receipt, stream  # noqa: E402


def peak_reset() -> None:
    try:
        Path("/proc/self/clear_refs").write_text("5")
    except OSError:
        return


def peak_rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return round(int(line.split()[1]) / 1024, 1)
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def setup_company(pool, header: dict) -> dict:
    """Company, fiscal year (continental), chart, category, products and locations; returns what the load needs."""
    from trytond.transaction import Transaction

    Party = pool.get("party.party")
    Company = pool.get("company.company")
    Currency = pool.get("currency.currency")
    Rate = pool.get("currency.currency.rate")
    User = pool.get("res.user")
    Sequence = pool.get("ir.sequence")
    SequenceType = pool.get("ir.sequence.type")
    FiscalYear = pool.get("account.fiscalyear")
    Account = pool.get("account.account")
    Category = pool.get("product.category")
    Uom = pool.get("product.uom")
    Template = pool.get("product.template")
    Location = pool.get("stock.location")
    ModelData = pool.get("ir.model.data")
    AccountTemplate = pool.get("account.account.template")
    CreateChart = pool.get("account.create_chart", type="wizard")

    (usd,) = Currency.create([{"name": "US Dollar", "code": "USD", "symbol": "$"}])
    Rate.create([{"currency": usd.id, "rate": Decimal(1), "date": date(2000, 1, 1)}])
    (party,) = Party.create([{"name": "Costbook Peer", "addresses": [("create", [{}])]}])
    company = Company(party=party, currency=usd)
    company.save()
    User.write([User(Transaction().user)], {"companies": [("add", [company.id])], "company": company.id})
    ctx = User.get_preferences(context_only=True)
    with Transaction().set_context(ctx):
        # The minimal chart of accounts, through the Create Chart wizard as the account module's own tests do.
        template = AccountTemplate(ModelData.get_id("account", "account_template_root_en"))
        session_id, _, _ = CreateChart.create()
        wizard = CreateChart(session_id)
        wizard.account.account_template = template
        wizard.account.company = company
        wizard.transition_create_account()
        receivable = Account.search([("type.receivable", "=", True), ("company", "=", company.id)], limit=1)[0]
        payable = Account.search([("type.payable", "=", True), ("company", "=", company.id)], limit=1)[0]
        wizard.properties.company = company
        wizard.properties.account_receivable = receivable
        wizard.properties.account_payable = payable
        wizard.transition_create_properties()

        start = date.fromisoformat(header["start"]) - timedelta(days=62)
        first = start.replace(day=1)
        today = date.today()
        last = (today.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
        (seq_type,) = SequenceType.search([("name", "=", "Account Move")], limit=1)
        (sequence,) = Sequence.create([{"name": "peer", "sequence_type": seq_type.id, "company": company.id}])
        fy = FiscalYear(name="peer", company=company, start_date=first, end_date=last, post_move_sequence=sequence)
        fy.account_stock_method = "continental"
        fy.save()
        FiscalYear.create_period([fy])

        stock_accounts = Account.search([("type.stock", "=", True), ("company", "=", company.id)])
        by_name = {a.name.lower(): a for a in stock_accounts}
        stock = next(a for n, a in by_name.items() if n == "stock")
        stock_in = next(a for n, a in by_name.items() if n != "stock")
        (stock_out,) = Account.copy([stock_in])
        expense = Account.search([("type.expense", "=", True), ("company", "=", company.id)], limit=1)[0]
        revenue = Account.search([("type.revenue", "=", True), ("company", "=", company.id)], limit=1)[0]
        (category,) = Category.create(
            [
                {
                    "name": "Peer goods",
                    "accounting": True,
                    "account_expense": expense.id,
                    "account_revenue": revenue.id,
                    "account_stock": stock.id,
                    "account_stock_in": stock_in.id,
                    "account_stock_out": stock_out.id,
                }
            ]
        )
        (unit,) = Uom.search([("symbol", "=", "u")], limit=1)
        templates = Template.create(
            [
                {
                    "name": i["no"],
                    "type": "goods",
                    "default_uom": unit.id,
                    "list_price": Decimal(i["cost"]) * 2,
                    "cost_price_method": TRYTON_METHOD[i["method"]],
                    "account_category": category.id,
                    "code": i["no"],
                    "products": [("create", [{"cost_price": Decimal(i["cost"])}])],
                }
                for i in header["items"]
            ]
        )
        products = {t.name: t.products[0].id for t in Template.browse(templates)}
        (warehouse,) = Location.search([("type", "=", "warehouse")], limit=1)
        storage = warehouse.storage_location
        east, west = Location.create(
            [{"name": n, "code": n, "type": "storage", "parent": storage.id} for n in ("EAST", "WEST")]
        )
        (supplier,) = Location.search([("type", "=", "supplier")], limit=1)
        (customer,) = Location.search([("type", "=", "customer")], limit=1)
        (lost,) = Location.search([("type", "=", "lost_found")], limit=1)
    return {
        "context": ctx,
        "company": company.id,
        "currency": usd.id,
        "unit": unit.id,
        "products": products,
        "warehouse": warehouse.id,
        "stock_account": stock.id,
        "locations": {
            "EAST": east.id,
            "WEST": west.id,
            "supplier": supplier.id,
            "customer": customer.id,
            "lost_found": lost.id,
        },
        "costs": {i["no"]: Decimal(i["cost"]) for i in header["items"]},
    }


EXTRAS: dict = {}


def batched(seq: list, n: int) -> list[list]:
    return [seq[i : i + n] for i in range(0, len(seq), n)]


def in_transaction(database: str, context: dict, fn):
    """Run ``fn`` in one committed transaction, restarting it with the locks Tryton asks for, as its dispatcher does
    (a model locks a table by raising for a restart with the lock taken first). The locks learnt are kept for later
    transactions, so the timed ones do not restart."""
    from trytond.transaction import Transaction, TransactionError

    while True:
        with Transaction().start(database, 0, context=context, **EXTRAS) as transaction:
            try:
                result = fn()
                transaction.commit()
                return result
            except TransactionError as error:
                transaction.rollback()
                error.fix(EXTRAS)


def backend_dsn(config_path: str) -> dict:
    """psycopg2's keywords for the server in trytond.conf's [database] uri (tryton_fill.py writes through it)."""
    from configparser import ConfigParser
    from urllib.parse import urlparse

    parser = ConfigParser()
    parser.read(config_path)
    uri = urlparse(parser.get("database", "uri"))
    return {"host": uri.hostname or "127.0.0.1", "port": uri.port or 5432, "user": uri.username or "root"}


def move_values(s: dict, m) -> dict:
    cost = Decimal(m.unit_cost) if m.unit_cost else s["costs"][m.item]
    day = date.fromisoformat(m.day)
    return {
        "product": s["products"][m.item],
        "from_location": s["locations"][m.source],
        "to_location": s["locations"][m.destination],
        "quantity": float(m.quantity),
        "unit": s["unit"],
        "unit_price": cost,
        "currency": s["currency"],
        "company": s["company"],
        "planned_date": day,
        "effective_date": day,
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database", required=True)
    parser.add_argument("--config", default=str(HERE.parent.parent / "var" / "tryton" / "trytond.conf"))
    parser.add_argument("--workload", required=True)
    parser.add_argument("--limit", type=int, default=None, help="load only the first N moves")
    parser.add_argument("--batch", type=int, default=500)
    parser.add_argument("--skip-full", action="store_true", help="do not time recompute_cost_price of every product")
    parser.add_argument(
        "--budget",
        type=float,
        default=None,
        help="seconds: cut posting and the full recompute after the batch that passes it (the figures are then "
        "lower bounds and say what they cover)",
    )
    parser.add_argument("--product-batch", type=int, default=100, help="products per transaction under a budget")
    parser.add_argument("--head", type=int, default=None, help="post only the first N moves through the API")
    tryton_fill.add_arguments(parser)
    parser.add_argument("--post-only", action="store_true", help="stop after posting (tryton_fill.py --check)")
    args = parser.parse_args(argv)

    os.environ.setdefault("TRYTOND_CONFIG", args.config)
    from trytond.config import config

    config.update_etc(args.config)
    from trytond.pool import Pool
    from trytond.transaction import Transaction

    header, total, moves = stream(args.workload)
    if args.limit is not None:
        total = min(total, args.limit)
        moves = islice(moves, total)
    pool = Pool(args.database)
    pool.init()
    figures: dict[str, dict] = {}
    t0 = time.perf_counter()
    s = in_transaction(args.database, {}, lambda: setup_company(pool, header))
    if True:
        print(
            f"set up company, chart, fiscal year and {len(s['products']):,} products in "
            f"{time.perf_counter() - t0:.1f} s",
            flush=True,
        )
    Move = pool.get("stock.move")
    Product = pool.get("product.product")
    Period = pool.get("stock.period")
    Account = pool.get("account.account")
    AccountMove = pool.get("account.move")

    db, ctx = args.database, s["context"]

    def do_moves(values):
        Move.do(Move.create(values))

    def post(source, budget=None, count=None):
        """Create and do ``source``'s moves, one transaction per batch, until they, ``count`` or ``budget`` run
        out; returns (moves done, seconds, last day, progress)."""
        seconds = 0.0
        n = 0
        last = None
        progress = []  # [moves done, seconds] every 20 batches: the rate along the load
        while chunk := list(islice(source, args.batch if count is None else min(args.batch, count - n))):
            values = [move_values(s, m) for m in chunk]
            t0 = time.perf_counter()
            in_transaction(db, ctx, lambda v=values: do_moves(v))
            seconds += time.perf_counter() - t0
            n += len(chunk)
            last = max(last or chunk[0].day, max(m.day for m in chunk))
            cut = (budget is not None and seconds >= budget) or (count is not None and n >= count)
            if n % (args.batch * 20) == 0 or cut:
                progress.append([n, round(seconds, 3)])
                print(f"  {n:>9,} moves done, {n / seconds:,.0f} moves/s", flush=True)
            if cut:
                break
        if not progress or progress[-1][0] != n:
            progress.append([n, round(seconds, 3)])
        return n, seconds, last, progress

    # post_inprocess: create and do the moves until the moves, the budget or --head run out.
    peak_reset()
    done, posting, last_day, progress = post(moves, args.budget, args.head)
    complete = done == total
    figures["post_inprocess"] = {
        "seconds": round(posting, 3),
        "moves": done,
        "of_moves": total,
        "complete": complete,
        "lines_per_s": round(done / posting),
        "peak_rss_mb": peak_rss_mb(),
        "progress": progress,
    }
    if not complete:
        print(f"  posting cut after {done:,} of {total:,} moves", flush=True)
    if args.fill and not complete:
        # The middle of the workload as `do` would write it (tryton_fill.py), untimed, then the last --tail moves
        # through the API again: Tryton's posting rate on the whole ledger, and every later step on the whole workload.
        import psycopg2

        tail = min(args.tail, total - done)
        t0 = time.perf_counter()
        conn = psycopg2.connect(dbname=db, **backend_dsn(args.config))
        filler = tryton_fill.Filler(conn, s, header)
        filler.load_state()
        wrote = filler.run(islice(moves, total - done - tail), date.today())
        conn.close()
        filled = {"moves": wrote, "seconds": round(time.perf_counter() - t0, 1), "after": done}
        print(f"  filled {wrote:,} moves as do writes them in {filled['seconds']} s", flush=True)
        peak_reset()
        tail_done, tail_seconds, tail_last, _ = post(moves)
        figures["post_inprocess"]["tail"] = {
            "moves": tail_done,
            "seconds": round(tail_seconds, 3),
            "lines_per_s": round(tail_done / tail_seconds) if tail_seconds else None,
            "peak_rss_mb": peak_rss_mb(),
        }
        figures["post_inprocess"]["filled"] = filled
        figures["post_inprocess"]["seconds"] = round(posting + tail_seconds, 3)
        figures["post_inprocess"]["moves"] = done + tail_done
        figures["post_inprocess"]["lines_per_s"] = round((done + tail_done) / (posting + tail_seconds))
        done += wrote + tail_done
        last_day = max(last_day, tail_last or last_day)
        complete = done == total
    if not figures["post_inprocess"]["complete"]:
        timed = figures["post_inprocess"]
        timed["extrapolated_seconds_linear"] = round(timed["seconds"] * total / timed["moves"])
    figures["post_inprocess"]["account_moves"] = in_transaction(db, ctx, lambda: AccountMove.search([], count=True))
    if args.post_only:
        print(json.dumps({"moves": done, "of_moves": total, "budget": args.budget, "steps": figures}, default=str))
        return 0
    # What the later steps run on when the load was cut: the first `moves` moves, up to `last_day`.
    prefix = None if complete else {"moves": done, "of_moves": total, "last_day": last_day}

    # adjust_incremental: the back-dated receipt, then recompute the cost price of its product from its date.
    receipt = backdated_receipt(header, stream(args.workload)[2])
    in_transaction(db, ctx, lambda: do_moves([move_values(s, receipt)]))
    peak_reset()
    t0 = time.perf_counter()
    in_transaction(
        db,
        ctx,
        lambda: Product.recompute_cost_price(
            [Product(s["products"][receipt.item])], start=date.fromisoformat(receipt.day)
        ),
    )
    figures["adjust_incremental"] = {
        "seconds": round(time.perf_counter() - t0, 3),
        "peak_rss_mb": peak_rss_mb(),
        "trigger": "back-dated receipt",
        "item": receipt.item,
        "on_prefix": prefix,
    }

    if not args.skip_full:
        products = list(s["products"].values())
        groups = [products] if args.budget is None else batched(products, args.product_batch)
        peak_reset()
        recomputing = 0.0
        recomputed = 0
        for group in groups:
            t0 = time.perf_counter()
            in_transaction(db, ctx, lambda g=group: Product.recompute_cost_price(Product.browse(g)))
            recomputing += time.perf_counter() - t0
            recomputed += len(group)
            if args.budget is not None and recomputing >= args.budget and recomputed < len(products):
                print(f"  full recompute cut by the budget after {recomputed:,} of {len(products):,} products")
                break
        figures["adjust_full"] = {
            "seconds": round(recomputing, 3),
            "peak_rss_mb": peak_rss_mb(),
            "products": recomputed,
            "of_products": len(products),
            "complete": recomputed == len(products),
            "on_prefix": prefix,
        }
        if recomputed < len(products):
            figures["adjust_full"]["extrapolated_seconds_linear"] = round(recomputing * len(products) / recomputed)

    # close_test: close the stock period ending with the workload's sixth month (Tryton closes; it has no dry run).
    mid = date.fromisoformat(header["start"]) + timedelta(days=182)
    ending = (mid.replace(day=28) + timedelta(days=4)).replace(day=1) - timedelta(days=1)
    (period_id,) = in_transaction(
        db, ctx, lambda: [p.id for p in Period.create([{"date": ending, "company": s["company"]}])]
    )
    peak_reset()
    t0 = time.perf_counter()
    in_transaction(db, ctx, lambda: Period.close([Period(period_id)]))
    figures["close_test"] = {
        "seconds": round(time.perf_counter() - t0, 3),
        "peak_rss_mb": peak_rss_mb(),
        "ending_date": ending.isoformat(),
        "what": "stock.period close",
        "on_prefix": prefix,
    }

    # matrix: stock value of the warehouse against the stock account's balance.
    def matrix():
        with Transaction().set_context(locations=[s["warehouse"]], stock_date_end=date.today()):
            values = Product.read(list(s["products"].values()), ["cost_value"])
        value = sum((v["cost_value"] or Decimal(0)) for v in values)
        (acc,) = Account.read([s["stock_account"]], ["balance"])
        return value, acc["balance"]

    runs = []
    for _ in range(3):
        peak_reset()
        t0 = time.perf_counter()
        value, balance = in_transaction(db, ctx, matrix)
        runs.append((time.perf_counter() - t0, peak_rss_mb(), value, balance))
    seconds, rss, value, balance = sorted(runs)[1]
    figures["matrix"] = {
        "seconds": round(seconds, 3),
        "peak_rss_mb": rss,
        "stock_value": str(value),
        "stock_account_balance": str(balance),
        "on_prefix": prefix,
    }
    for name, f in figures.items():
        print(f"  tryton {name:<20} {f['seconds']:9.3f} s   peak RSS {f['peak_rss_mb']} MB", flush=True)
    print(json.dumps({"moves": done, "of_moves": total, "budget": args.budget, "steps": figures}, default=str))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

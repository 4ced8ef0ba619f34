"""Posting throughput: journal lines per second through post_item_journal, in process and over the REST API.

    python bench/bench_posting.py [--lines 100000] [--items 10000] [--batches 500,5000] [--seed 42]
                                  [--rest-lines 20000] [--rest-batch 500] [--rest-clients 1] [--rest-empty-lines 0]
                                  [--template DB] [--keep] [--no-record]

Creates a database of its own next to the one DATABASE_URL names (same server, name + "_bench_posting_<pid>"),
migrates it, posts ``--lines`` generated lines (bench/generate.py: a year of dates, 5 % back-dated, all costing
methods, two locations, receipts and shipments not invoiced, transfers, returns) once per batch size, each run into
a company of its own items, and drops the database at the end. Only the post_item_journal calls are timed.

Then the REST API: a real gunicorn (2 workers) on a free port of 127.0.0.1 against the same database, an API token
of an "integration" user, and ``--rest-lines`` lines of a fresh company in POSTs of ``--rest-batch`` lines
(``--rest-clients`` at once), timed from the first request to the last response, JSON encoding included. By then the
ledger holds the in-process runs' lines (2 x 100,000 by default) plus whatever the template held: the figure is
REST on a ledger of that size (printed and recorded as ``ledger_lines``). ``--rest-empty-lines N`` also posts N lines
over REST *before* the in-process runs, on the empty ledger (recorded as ``post_rest_empty``), so both are measured in
the same conditions.

``--template DB`` copies an already generated database (e.g. one kept with ``--keep --rest-lines 0``: 200,000 lines)
instead of starting empty; ``--lines 0`` then skips the in-process runs, so REST on a 200,000-line ledger takes a
minute. ``--no-record`` prints the figures without writing bench/results.

Next to each figure, the PostgreSQL floor (``posting_floor``), in batches of the same size: the earlier entries each
batch applied to read (with their cost sums) and their remaining quantity updated, the same rows (item ledger, value,
application entries, the G/L queue and the item register) inserted as copies of the posted ones, the batch's items and
Average totals read, its purchased items, the counters and the entry points written as the posting writes them
(over REST also the token, the permissions and the audit row of a request), constraints checked, then rolled back
(bench/benchdb.py). The floor of the entries alone, without the rows around them, is recorded too
(``floor_entries_only_seconds``): until the twelfth session that was the floor. Prints a table and records
``post_inprocess`` and ``post_rest`` ({"seconds", "floor_seconds", "peak_rss_mb", ...}) and ``posting_throughput``
through record.py. The targets (5,000 lines/s in process, 1,000 lines/s over REST in batches of 500, on the 2-core
benchmark machine) are reported against, not enforced.
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
import urllib.request
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

BENCH = Path(__file__).resolve().parent
ROOT = BENCH.parent
sys.path.insert(0, str(BENCH))
sys.path.insert(0, str(ROOT))

from benchdb import PeakRSS, bench_database, floor_copy, load_average  # noqa: E402

TARGET_LINES_PER_S = 5_000
TARGET_REST_LINES_PER_S = 1_000


def register_ranges(first_register: int) -> dict[str, tuple]:
    """Entry number ranges written since ``first_register`` (the item registers of the run)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute(
            "SELECT min(from_entry_no), max(to_entry_no), min(from_value_entry_no), max(to_value_entry_no), "
            "min(no), max(no) FROM costing_item_register WHERE no >= %s",
            [first_register],
        )
        ile_from, ile_to, ve_from, ve_to, reg_from, reg_to = cur.fetchone()
        cur.execute(
            "SELECT min(entry_no), max(entry_no) FROM costing_item_application_entry WHERE item_ledger_entry_no "
            "BETWEEN %s AND %s",
            [ile_from, ile_to],
        )
        iae_from, iae_to = cur.fetchone()
    return {"ile": (ile_from, ile_to), "ve": (ve_from, ve_to), "iae": (iae_from, iae_to), "reg": (reg_from, reg_to)}


# The entries a slice of the run applied to that were already in the ledger before it (inbound entries its
# decreases took from, outbound entries its increases closed): what the posting read and then updated.
_APPLIED_EARLIER = """
    SELECT inbound_item_entry_no FROM costing_item_application_entry
     WHERE entry_no BETWEEN %(iae_lo)s AND %(iae_hi)s AND inbound_item_entry_no < %(ile_lo)s
    UNION
    SELECT outbound_item_entry_no FROM costing_item_application_entry
     WHERE entry_no BETWEEN %(iae_lo)s AND %(iae_hi)s AND outbound_item_entry_no < %(ile_lo)s"""


# The rows a posting reads and writes besides the entries, per slice (``posting_floor``): the items of its lines and
# the Average items' running totals (read), its item register (inserted), the ledgers' counters and the items whose
# last direct cost a purchase sets (updated, to the same values), and the Average items' cost adjustment entry points
# (the posting's own upsert; the rows are there after the run, so it writes none: a floor). Which items those are is
# looked up before the floor's clock starts, as the posting has them from its lines: the floor reads them by key.
_PERIOD_END = {
    "day": "v.valuation_date",
    "week": "least(date_trunc('week', v.valuation_date)::date + 6, make_date(extract(year FROM v.valuation_date)::int,"
    " 12, 31))",
    "month": "(date_trunc('month', v.valuation_date) + interval '1 month - 1 day')::date",
    "accounting_period": "(date_trunc('month', v.valuation_date) + interval '1 month - 1 day')::date",
    "quarter": "(date_trunc('quarter', v.valuation_date) + interval '3 months - 1 day')::date",
    "year": "make_date(extract(year FROM v.valuation_date)::int, 12, 31)",
}


def _setup_rows(applied: dict) -> tuple[list, list]:
    from django.db import connection

    from costing.models import InventorySetup

    setup = InventorySetup.get()
    location = "v.location_code" if setup.average_cost_calc_type == "item_location_variant" else "NULL::varchar"
    with connection.cursor() as cur:
        cur.execute(
            """SELECT array_agg(DISTINCT e.item_no ORDER BY e.item_no),
                      coalesce(array_agg(DISTINCT e.item_no ORDER BY e.item_no)
                               FILTER (WHERE i.costing_method = 'average'), '{}'),
                      coalesce(array_agg(DISTINCT e.item_no ORDER BY e.item_no)
                               FILTER (WHERE e.entry_type = 'purchase' AND e.positive), '{}')
                 FROM costing_item_ledger_entry e JOIN costing_item i ON i.no = e.item_no
                WHERE e.entry_no BETWEEN %(ile_lo)s AND %(ile_hi)s""",
            applied,
        )
        items, average, purchased = cur.fetchone()
    keys = {**applied, "items": items or [], "average": average, "purchased": purchased}
    points = f"""
        SELECT DISTINCT v.item_no, {location} AS location_code, {_PERIOD_END[setup.average_cost_period]} AS day
          FROM costing_value_entry v
         WHERE v.entry_no BETWEEN %(ve_lo)s AND %(ve_hi)s AND v.item_no = ANY(%(average)s::varchar[])"""
    reads = [
        ("SELECT * FROM costing_item WHERE no = ANY(%(items)s::varchar[])", keys, "items (read)"),
        (
            "SELECT item_no, location_code, quantity, cost FROM costing_avg_cost_total "
            "WHERE item_no = ANY(%(average)s::varchar[])",
            keys,
            "Average totals (read)",
        ),
    ]
    writes = [
        (
            "UPDATE core_counter SET last = last WHERE name IN "
            "('item_application_entry', 'item_ledger_entry', 'item_register', 'value_entry')",
            keys,
            "counters",
        ),
        (
            "UPDATE costing_item SET last_direct_cost = last_direct_cost WHERE no = ANY(%(purchased)s::varchar[])",
            keys,
            "items (last direct cost)",
        ),
        (
            "INSERT INTO costing_avg_cost_adjmt_entry_point (item_no, location_code, valuation_date, cost_is_adjusted) "
            f"SELECT item_no, location_code, day, false FROM ({points}) p "
            "ON CONFLICT (item_no, location_code, valuation_date) DO UPDATE SET cost_is_adjusted = false "
            "WHERE costing_avg_cost_adjmt_entry_point.cost_is_adjusted",
            keys,
            "entry points",
        ),
    ]
    return reads, writes


REQUEST_ROWS = "authentication, permissions, audit"


def _request_rows(user_id: int, token: str) -> tuple[list, list]:
    """What the API reads and writes per request besides the posting: the token with its user, the user's and the
    user's groups' permissions, and the audit row."""
    params = {"user": user_id, "token": token}
    reads = [
        (
            "SELECT * FROM authtoken_token t JOIN auth_user u ON u.id = t.user_id WHERE t.key = %(token)s",
            params,
            REQUEST_ROWS,
        ),
        (
            "SELECT c.app_label, p.codename FROM auth_permission p JOIN auth_user_user_permissions up "
            "ON up.permission_id = p.id JOIN django_content_type c ON c.id = p.content_type_id "
            "WHERE up.user_id = %(user)s",
            params,
            REQUEST_ROWS,
        ),
        (
            "SELECT c.app_label, p.codename FROM auth_permission p JOIN auth_group_permissions gp "
            "ON gp.permission_id = p.id JOIN auth_user_groups ug ON ug.group_id = gp.group_id "
            "JOIN django_content_type c ON c.id = p.content_type_id WHERE ug.user_id = %(user)s",
            params,
            REQUEST_ROWS,
        ),
    ]
    writes = [
        (
            "INSERT INTO core_audit_entry (created_at, user_id, action, method, path, status_code, remote_addr, "
            "details) SELECT now(), user_id, action, method, path, status_code, remote_addr, details "
            "FROM core_audit_entry WHERE user_id = %(user)s ORDER BY id DESC LIMIT 1",
            params,
            REQUEST_ROWS,
        )
    ]
    return reads, writes


def posting_floor(
    ranges: dict[str, tuple], batches: int, *, parts: dict | None = None, request: tuple[int, str] | None = None
) -> float:
    """What PostgreSQL alone needs for the rows the run read and wrote, in ``batches`` slices, constraints checked,
    rolled back: read the earlier entries each slice applied to (with their cost sums) and the slice's items and
    Average totals, insert copies of its item ledger, value and application entries, G/L queue rows and register,
    and update the applied entries' remaining quantity, the counters and the purchased items' last direct cost (to
    the same values: a floor), and upsert the entry points (``_setup_rows``). ``request`` = (user id, token): a REST
    run, whose slices also read and write what one request does besides posting (``_request_rows``).

    ``parts`` gets the seconds of each of the statements the floor has had since the twelfth session, by what they
    read or write (``_setup_rows``, ``REQUEST_ROWS``): the floor without them is the entries alone, as before.
    """
    from costing.models import ItemApplicationEntry, ItemLedgerEntry, ItemRegister, PostValueEntryToGL, ValueEntry

    total = 0.0
    for i in range(batches):

        def part(name, i=i):
            lo, hi = ranges[name]
            size = (hi - lo + 1 + batches - 1) // batches
            return [lo + i * size, min(hi, lo + (i + 1) * size - 1)]

        ile_lo, ile_hi = part("ile")
        ve_lo, ve_hi = part("ve")
        iae_lo, iae_hi = part("iae")
        applied = {"iae_lo": iae_lo, "iae_hi": iae_hi, "ile_lo": ile_lo, "ile_hi": ile_hi, "ve_lo": ve_lo,
                   "ve_hi": ve_hi}  # fmt: skip
        setup_reads, setup_writes = _setup_rows(applied)
        request_reads, request_writes = _request_rows(*request) if request else ([], [])
        total += floor_copy(
            [
                (ItemLedgerEntry, "entry_no BETWEEN %s AND %s", [ile_lo, ile_hi], ("entry_no",)),
                (ValueEntry, "entry_no BETWEEN %s AND %s", [ve_lo, ve_hi], ("entry_no",)),
                (ItemApplicationEntry, "entry_no BETWEEN %s AND %s", [iae_lo, iae_hi], ("entry_no",)),
                (PostValueEntryToGL, "value_entry_no BETWEEN %s AND %s", [ve_lo, ve_hi], ("value_entry_no",)),
                (ItemRegister, "no BETWEEN %s AND %s", part("reg"), ("no",), "register"),
            ],
            read_sql=[
                *request_reads,
                (f"SELECT * FROM costing_item_ledger_entry WHERE entry_no IN ({_APPLIED_EARLIER})", applied),
                (
                    "SELECT item_ledger_entry_no, sum(cost_amount_actual), sum(cost_amount_expected) "
                    f"FROM costing_value_entry WHERE item_ledger_entry_no IN ({_APPLIED_EARLIER}) GROUP BY 1",
                    applied,
                ),
                *setup_reads,
            ],
            write_sql=[
                (
                    "UPDATE costing_item_ledger_entry SET remaining_quantity = remaining_quantity "
                    f"WHERE entry_no IN ({_APPLIED_EARLIER})",
                    applied,
                ),
                *setup_writes,
                *request_writes,
            ],
            parts=parts,
        )
    return total


def next_register() -> int:
    """The number the next item register will take: a run's ranges start there (``register_ranges``)."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT coalesce(max(no), 0) + 1 FROM costing_item_register")
        return cur.fetchone()[0]


# ------------------------------------------------------------------------------------------------------ REST


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def api_token() -> str:
    from django.contrib.auth import get_user_model
    from django.contrib.auth.models import Group
    from rest_framework.authtoken.models import Token

    from core.roles import ensure_roles

    ensure_roles()
    user, _created = get_user_model().objects.get_or_create(username="bench-integration")
    user.groups.add(Group.objects.get(name="integration"))
    return Token.objects.get_or_create(user=user)[0].key


def start_server(url: str, port: int) -> subprocess.Popen:
    env = dict(os.environ)
    env.update(
        DATABASE_URL=url,
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY=secrets.token_urlsafe(48),
        DJANGO_ALLOWED_HOSTS="127.0.0.1",
        DJANGO_SECURE_SSL_REDIRECT="0",
        DJANGO_LOG_LEVEL="WARNING",
    )
    env.pop("REDIS_URL", None)
    server = subprocess.Popen(
        [str(Path(sys.executable).parent / "gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{port}",
         "--workers", "2", "--timeout", "300", "--log-level", "warning"],
        cwd=ROOT, env=env, start_new_session=True,
    )  # fmt: skip
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=1):
                return server
        except OSError:
            if server.poll() is not None:
                raise SystemExit("gunicorn exited at start-up") from None
            time.sleep(0.2)
    server.terminate()
    raise SystemExit("gunicorn did not listen within 60 s")


def server_peak_rss(server: subprocess.Popen) -> float:
    """Largest peak RSS among the gunicorn workers (children of the master)."""
    peaks = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            if int(stat.read_text().rsplit(")", 1)[1].split()[1]) == server.pid:
                peaks.append(PeakRSS.mb(stat.parent.name))
        except (OSError, ValueError, IndexError):
            continue
    return max(peaks, default=0.0)


def line_json(line) -> dict:
    body = {
        "entry_type": line.entry_type,
        "posting_date": line.posting_date.isoformat(),
        "document_no": line.document_no,
        "item": line.item,
        "quantity": str(line.quantity),
        "location": line.location,
    }
    if line.new_location:
        body["new_location"] = line.new_location
    if line.invoiced_quantity is not None:
        body["invoiced_quantity"] = str(line.invoiced_quantity)
    if line.unit_cost is not None:
        body["unit_cost"] = str(line.unit_cost)
    for name in ("applies_to_entry", "applies_from_entry"):
        if getattr(line, name):
            body[name] = getattr(line, name)
    if line.gen_bus_posting_group:
        body["gen_bus_posting_group"] = line.gen_bus_posting_group
    return body


class _Posted:
    """What Generator.absorb reads from a posting result, built from the API's response."""

    def __init__(self, body: dict):
        from types import SimpleNamespace

        from core.money import dec

        entries = []
        for e in body["item_ledger_entries"]:
            quantity = dec(e["quantity"])
            entries.append(
                SimpleNamespace(
                    entry_no=e["entry_no"], entry_type=e["entry_type"], positive=quantity > 0, item_id=e["item"],
                    location_id=e["location"] or None, quantity=quantity,
                    completely_invoiced=dec(e["invoiced_quantity"]) == quantity,
                )
            )  # fmt: skip
        self.item_ledger_entries = entries
        self.value_entries = body["value_entries"]


def ledger_lines() -> int:
    """Journal lines already posted: item ledger entries, a transfer's two counted once."""
    from django.db import connection

    with connection.cursor() as cur:
        cur.execute("SELECT count(*) FILTER (WHERE transferred_from_entry IS NULL) FROM costing_item_ledger_entry")
        return cur.fetchone()[0]


def run_rest(url: str, lines: int, items: int, batch: int, clients: int, seed: int, prefix: str = "BR") -> dict:
    import generate

    generate.PREFIX = prefix
    ledger = ledger_lines()
    company = generate.ensure_company(items, seed)
    token = api_token()
    port = free_port()
    server = start_server(url, port)
    endpoint = f"http://127.0.0.1:{port}/api/v1/item-journal/post/"
    headers = {"Authorization": f"Token {token}", "Content-Type": "application/json"}
    try:
        # One small request first, so the workers have imported everything and opened their connections.
        gen = generate.Generator(company, lines + clients * 20, seed)
        warm = [gen.batch(10) for _ in range(clients * 2)]
        threads_out: list = []

        durations: list[float] = []

        def encode(batch_lines) -> bytes:
            return json.dumps({"lines": [line_json(x) for x in batch_lines]}).encode()

        def post(body: bytes) -> bytes:
            request = urllib.request.Request(endpoint, data=body, headers=headers)
            t0 = time.perf_counter()
            with urllib.request.urlopen(request, timeout=300) as response:
                answer = response.read()
            durations.append(time.perf_counter() - t0)
            return answer

        # Sent at once, so that each gunicorn worker takes one: a worker's first posting pays for its database
        # session's first plans (about 0.6 s), which a warm server has long paid.
        with ThreadPoolExecutor(max_workers=len(warm)) as pool:
            answers = list(pool.map(post, [encode(w) for w in warm]))
        for w, answer in zip(warm, answers, strict=True):
            gen.absorb(w, _Posted(json.loads(answer)))
        durations.clear()
        lock = threading.Lock()
        errors: list[str] = []
        posted = {"lines": 0, "value_entries": 0}
        first_register = next_register()

        def client():
            """One integration posting its batches one after the other, as a load generator does: the next request
            is built while the current one is in flight and sent as soon as its answer is in; the answer (the entry
            numbers later lines may name) is read while the next one is in flight. So a batch names entries of the
            batches before the one in flight. Until 2026-11-21 the client built, encoded and read between requests
            while the server waited, and that time counted as the API's."""
            in_flight = None  # (lines, future of the raw answer)
            with ThreadPoolExecutor(max_workers=1) as sender:
                while True:
                    with lock:
                        ready = gen.produced < gen.total and not errors
                        batch_lines = gen.batch(batch) if ready else None
                    body = encode(batch_lines) if batch_lines else None
                    answered = None
                    if in_flight is not None:
                        try:
                            answered = (in_flight[0], in_flight[1].result())
                        except Exception as exc:  # noqa: BLE001 - reported, stops the run
                            errors.append(f"{type(exc).__name__}: {exc}")
                            return
                    in_flight = (batch_lines, sender.submit(post, body)) if batch_lines else None
                    if answered is not None:
                        result = _Posted(json.loads(answered[1]))
                        with lock:
                            gen.absorb(answered[0], result)
                            posted["lines"] += len(answered[0])
                            posted["value_entries"] += len(result.value_entries)
                    if in_flight is None:
                        return

        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        seconds = time.perf_counter() - started
        threads_out.append(server_peak_rss(server))
        if durations:
            ordered = sorted(durations)
            print(
                f"  {len(durations)} requests: median {ordered[len(ordered) // 2]:.3f} s, "
                f"max {ordered[-1]:.3f} s, first {durations[0]:.3f} s, last {durations[-1]:.3f} s",
                flush=True,
            )
        if errors:
            raise SystemExit(f"REST posting failed: {errors[0]}")
    finally:
        os.killpg(server.pid, 15)
        server.wait(30)
    ranges = register_ranges(first_register)
    from rest_framework.authtoken.models import Token

    parts: dict[str, float] = {}
    user_id = Token.objects.get(key=token).user_id
    floor = posting_floor(ranges, max(1, posted["lines"] // batch), parts=parts, request=(user_id, token))
    return {
        "lines": posted["lines"],
        "ledger_lines": ledger,
        "batch": batch,
        "clients": clients,
        "value_entries": posted["value_entries"],
        "seconds": round(seconds, 2),
        "lines_per_s": round(posted["lines"] / seconds),
        "floor_seconds": round(floor, 2),
        "floor_entries_only_seconds": round(floor - sum(parts.values()), 2),
        "floor_parts_seconds": {k: round(v, 3) for k, v in parts.items()},
        "peak_rss_mb": threads_out[0],
    }


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=100_000)
    parser.add_argument("--items", type=int, default=10_000)
    parser.add_argument("--batches", default="500,5000", help="comma-separated batch sizes (default 500,5000)")
    parser.add_argument("--seed", type=int, default=42)
    parser.add_argument("--rest-lines", type=int, default=20_000, help="lines posted over REST (0: skip)")
    parser.add_argument("--rest-batch", type=int, default=500)
    parser.add_argument("--rest-clients", type=int, default=1)
    parser.add_argument(
        "--rest-empty-lines", type=int, default=0, help="also post this many lines over REST on the empty ledger first"
    )
    parser.add_argument("--template", help="copy this already generated database instead of starting empty")
    parser.add_argument("--keep", action="store_true", help="keep the database (to use it as a template)")
    parser.add_argument("--no-record", action="store_true", help="print only; do not write bench/results")
    args = parser.parse_args(argv)
    batches = [int(b) for b in args.batches.split(",")] if args.lines else []

    with bench_database("bench_posting", keep=args.keep, template=args.template) as url:
        import generate
        from record import record as record_result

        def record(*a, **kw):
            if not args.no_record:
                record_result(*a, **kw)

        rest_empty = None
        if args.rest_empty_lines:
            print(
                f"Posting {args.rest_empty_lines:,} lines over REST in batches of {args.rest_batch:,} on a ledger of "
                f"{ledger_lines():,} lines ...",
                flush=True,
            )
            rest_empty = run_rest(
                url, args.rest_empty_lines, args.items, args.rest_batch, args.rest_clients, args.seed, prefix="BE"
            )
            rest_empty["load_average"] = load_average()
            print(f"  {rest_empty['lines_per_s']:,} lines/s; load {rest_empty['load_average']}", flush=True)
        runs = []
        for number, batch in enumerate(batches):
            # Each run posts into items of its own (item and document numbers start with B0, B1, ...), so a run
            # never starts with the stock and history of the one before.
            generate.PREFIX = f"B{number}"
            print(f"Posting {args.lines:,} lines over {args.items:,} items in batches of {batch:,} ...", flush=True)
            first_register = next_register()
            PeakRSS.reset()
            figures = generate.run(args.lines, args.items, batch, args.seed, extras=False, report=None)
            figures["peak_rss_mb"] = PeakRSS.mb()
            figures["load_average"] = load_average()
            parts: dict[str, float] = {}
            floor = posting_floor(register_ranges(first_register), max(1, args.lines // batch), parts=parts)
            figures["floor_seconds"] = round(floor, 2)
            figures["floor_entries_only_seconds"] = round(floor - sum(parts.values()), 2)
            figures["floor_parts_seconds"] = {k: round(v, 3) for k, v in parts.items()}
            runs.append(figures)
            print(
                f"  batch {batch:>5,}: {figures['lines_per_s_posting']:>6,} lines/s in post_item_journal "
                f"({figures['posting_seconds']:.1f} s for {figures['lines']:,} lines, floor "
                f"{figures['floor_seconds']:.1f} s; {figures['item_ledger_entries']:,} item ledger entries, "
                f"{figures['value_entries']:,} value entries); peak RSS {figures['peak_rss_mb']} MB; "
                f"load {figures['load_average']}",
                flush=True,
            )
        rest = None
        if args.rest_lines:
            print(
                f"Posting {args.rest_lines:,} lines over REST in batches of {args.rest_batch:,} "
                f"({args.rest_clients} client(s), gunicorn with 2 workers) on a ledger of {ledger_lines():,} lines ...",
                flush=True,
            )
            rest = run_rest(url, args.rest_lines, args.items, args.rest_batch, args.rest_clients, args.seed)
            rest["load_average"] = load_average()

        print()
        print(f"{'step':<16} {'lines':>8} {'batch':>6} {'seconds':>8} {'floor s':>8} {'lines/s':>8} {'target':>7} "
              f"{'peak MB':>8}")  # fmt: skip
        for r in runs:
            print(f"{'post_inprocess':<16} {r['lines']:>8,} {r['batch']:>6,} {r['posting_seconds']:>8.1f} "
                  f"{r['floor_seconds']:>8.1f} {r['lines_per_s_posting']:>8,} {TARGET_LINES_PER_S:>7,} "
                  f"{r['peak_rss_mb']:>8}")  # fmt: skip
        for name, r in (("post_rest_empty", rest_empty), ("post_rest", rest)):
            if r:
                print(f"{name:<16} {r['lines']:>8,} {r['batch']:>6,} {r['seconds']:>8.1f} "
                      f"{r['floor_seconds']:>8.1f} {r['lines_per_s']:>8,} {TARGET_REST_LINES_PER_S:>7,} "
                      f"{r['peak_rss_mb']:>8}"
                      f"  ledger {r['ledger_lines']:,} lines, load {r['load_average']}")  # fmt: skip
        for r in [*runs, rest_empty, rest]:
            if r and "floor_entries_only_seconds" in r:
                print(f"floor of the {r.get('batch', '')}-line batches: the entries {r['floor_entries_only_seconds']} s"
                      + "".join(f", {k} {v} s" for k, v in r.get("floor_parts_seconds", {}).items()))  # fmt: skip
        print(f"load average {load_average()}")
        for name, r in (("post_rest_empty", rest_empty), ("post_rest", rest)):
            if r:
                record(
                    name,
                    {
                        "seconds": r["seconds"],
                        "floor_seconds": r["floor_seconds"],
                        "peak_rss_mb": r["peak_rss_mb"],
                        "lines_per_s": r["lines_per_s"],
                        "target_lines_per_s": TARGET_REST_LINES_PER_S,
                    },
                    lines=r["lines"],
                    ledger_lines=r["ledger_lines"],
                    batch=r["batch"],
                    clients=r["clients"],
                    server="gunicorn, 2 workers, DEBUG off",
                    peak_rss="largest gunicorn worker",
                    load_average=r["load_average"],
                    cpu_count=os.cpu_count(),
                )
        if not runs:
            return 0
        best = max(runs, key=lambda r: r["lines_per_s_posting"])
        record(
            "post_inprocess",
            {
                "seconds": best["posting_seconds"],
                "floor_seconds": best["floor_seconds"],
                "peak_rss_mb": max(r["peak_rss_mb"] for r in runs),
                "lines_per_s": best["lines_per_s_posting"],
                "target_lines_per_s": TARGET_LINES_PER_S,
            }
            | {f"lines_per_s_batch_{r['batch']}": r["lines_per_s_posting"] for r in runs}
            | {f"floor_seconds_batch_{r['batch']}": r["floor_seconds"] for r in runs},
            lines=args.lines,
            items=args.items,
            batch=best["batch"],
            seed=args.seed,
            load_average=best["load_average"],
            cpu_count=os.cpu_count(),
        )
        record(
            "posting_throughput",
            {f"lines_per_s_batch_{r['batch']}": r["lines_per_s_posting"] for r in runs}
            | {"peak_rss_mib": max(r["peak_rss_mb"] for r in runs)},
            lines=args.lines,
            items=args.items,
            seed=args.seed,
        )
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

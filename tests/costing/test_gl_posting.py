"""Post Inventory Cost to G/L: methods, skipped entries, exactly-once posting under concurrency and crashes."""

import threading
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from django.db import connection, connections
from django.db.models import Sum

from costing import gl_posting
from costing.models import (
    GLItemLedgerRelation,
    InventoryPostingSetup,
    InventorySetup,
    Location,
    PostValueEntryToGL,
    ValueEntry,
)
from costing.posting import post_item_charge, post_item_journal
from ledger.models import GLAccount, GLEntry, GLSetup
from tests.books import D, company, d, item
from tests.costing.test_posting_examples import line


def _books_in_step():
    """Invariant 2 of the architecture: every value entry's posted amounts equal its linked G/L inventory-side
    amounts, and every G/L transaction nets to zero."""
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM (SELECT transaction_no FROM ledger_gl_entry GROUP BY 1 HAVING sum(amount) <> 0) x"
        )
        assert cur.fetchone()[0] == 0
        cur.execute(
            """
            SELECT count(*) FROM costing_value_entry v LEFT JOIN (
                SELECT r.value_entry_no, sum(r.amount) FILTER (WHERE g.gl_account_id IN ('2130', '2131')) AS inv,
                       sum(r.amount) AS total
                  FROM costing_gl_item_ledger_relation r JOIN ledger_gl_entry g ON g.entry_no = r.gl_entry_no
                 GROUP BY 1) x ON x.value_entry_no = v.entry_no
              LEFT JOIN costing_value_entry_gl_posting p ON p.value_entry_no = v.entry_no
             WHERE coalesce(p.cost_posted_to_gl + p.expected_cost_posted_to_gl, 0) <> coalesce(x.inv, 0)
                OR coalesce(x.total, 0) <> 0
            """
        )
        assert cur.fetchone()[0] == 0


def _scenario():
    item("A", overhead_rate=D("1"))
    item("B", method="average")
    post_item_journal(
        [
            line("purchase", "01-01-20", 10, unit_cost=D("7")),
            line("purchase", "01-02-20", 4, item_no="B", unit_cost=D("2.5"), location="EAST"),
            line("sale", "01-15-20", 6),
            line("sale", "01-16-20", 3, item_no="B", location="EAST", invoiced_quantity=D("0")),
            line("purchase", "01-20-20", 5, unit_cost=D("8"), invoiced_quantity=D("0")),
        ]
    )
    post_item_charge(1, posting_date=d("02-01-20"), document_no="FRT", amount=D("4.00"))


def _balances():
    return dict(GLEntry.objects.values("gl_account_id").annotate(s=Sum("amount")).values_list("gl_account_id", "s"))


@pytest.mark.django_db
def test_both_posting_methods_give_the_same_account_balances():
    company(expected_cost_posting=True)
    _scenario()
    planned = gl_posting.run_post_inventory_cost_to_gl(method="per_entry", post=False)
    expected = {}
    for ln in planned.lines:
        expected[ln.gl_account] = expected.get(ln.gl_account, 0) + ln.amount
    report = gl_posting.run_post_inventory_cost_to_gl(method="per_posting_group", document_no="INVT-1")
    assert _balances() == expected
    assert report.posted_value_entries == 7 and not report.skipped
    # Fewer G/L entries than per entry, each linked to every value entry it summarises.
    assert GLEntry.objects.count() < len(planned.lines)
    assert set(GLEntry.objects.values_list("document_no", flat=True)) == {"INVT-1"}
    assert GLItemLedgerRelation.objects.values("value_entry").distinct().count() == 7
    assert len(set(GLEntry.objects.values_list("register_id", flat=True))) == 1
    _books_in_step()
    assert PostValueEntryToGL.objects.count() == 0
    # Each summarised G/L entry's amount is exactly the sum of its value entries' shares.
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM ledger_gl_entry g JOIN (SELECT gl_entry_no, sum(amount) s FROM "
            "costing_gl_item_ledger_relation GROUP BY 1) r ON r.gl_entry_no = g.entry_no WHERE r.s <> g.amount"
        )
        assert cur.fetchone()[0] == 0


@pytest.mark.django_db
def test_skip_reasons_and_the_test_report():
    company(expected_cost_posting=False)
    item("A")
    Location.objects.create(code="NOSETUP")
    post_item_journal(
        [
            line("purchase", "01-01-20", 1, unit_cost=D("10")),
            line("purchase", "01-01-20", 1, unit_cost=D("10"), location="NOSETUP"),
            line("purchase", "01-01-20", 1, unit_cost=D("10"), invoiced_quantity=D("0")),
            line("purchase", "01-01-20", 2, unit_cost=D("5")),
        ]
    )
    InventorySetup.objects.filter(id=1).update(expected_cost_posting_to_gl=True)
    # the receipt's expected cost is queued only when expected-cost posting is on; queue it by hand for the test
    PostValueEntryToGL.objects.get_or_create(value_entry_id=3, defaults={"item_id": "A", "posting_date": d("01-01-20")})
    InventorySetup.objects.filter(id=1).update(expected_cost_posting_to_gl=False)
    test = gl_posting.test_report(method="per_entry")
    codes = {w["value_entry_no"]: w["code"] for w in test["warnings"]}
    assert codes == {2: "missing_setup", 3: "expected_cost_off"}
    report = gl_posting.run_post_inventory_cost_to_gl(method="per_entry")
    assert [(s.value_entry_no, s.code) for s in report.skipped] == [(2, "missing_setup"), (3, "expected_cost_off")]
    assert "Inventory Posting Setup is missing for location NOSETUP" in report.skipped[0].reason
    assert report.posted_value_entries == 2
    assert set(PostValueEntryToGL.objects.values_list("value_entry_id", flat=True)) == {2, 3}
    # The skipped entries leave no gap: value entries 1 and 4 are G/L entries 1-2 and 3-4.
    assert list(
        GLItemLedgerRelation.objects.order_by("gl_entry_id").values_list("gl_entry_id", "value_entry_id", "amount")
    ) == [(1, 1, D("10.00")), (2, 1, D("-10.00")), (3, 4, D("10.00")), (4, 4, D("-10.00"))]
    _books_in_step()
    # Fix the setup and block an account: the blocked account is now the reason.
    InventoryPostingSetup.objects.create(
        location_id="NOSETUP", inventory_posting_group_id="RESALE", inventory_account_id="2130"
    )
    GLAccount.objects.filter(no="7291").update(blocked=True)
    again = gl_posting.run_post_inventory_cost_to_gl(method="per_entry")
    assert [(s.value_entry_no, s.code) for s in again.skipped] == [(2, "blocked_account"), (3, "expected_cost_off")]
    GLAccount.objects.filter(no="7291").update(blocked=False)
    GLSetup.objects.update_or_create(id=1, defaults={"allow_posting_from": date(2020, 2, 1)})
    dated = gl_posting.run_post_inventory_cost_to_gl(method="per_entry")
    assert [(s.value_entry_no, s.code) for s in dated.skipped] == [(2, "date_not_allowed"), (3, "expected_cost_off")]


@pytest.mark.django_db
def test_document_no_rules():
    from core.errors import InvalidInput

    with pytest.raises(InvalidInput) as err:
        gl_posting.run_post_inventory_cost_to_gl(method="per_posting_group")
    assert list(err.value.errors) == ["document_no"]
    with pytest.raises(InvalidInput):
        gl_posting.run_post_inventory_cost_to_gl(method="per_entry", document_no="X")


@pytest.mark.django_db(transaction=True)
def test_two_runs_at_once_never_post_a_value_entry_twice():
    company()
    item("A")
    post_item_journal(
        [line("purchase", f"01-{day:02d}-20", 1, unit_cost=D("3")) for day in range(1, 29)]
        + [line("sale", "02-01-20", 20)]
    )
    errors = []

    def run():
        try:
            gl_posting.run_post_inventory_cost_to_gl(method="per_entry", chunk_size=3)
        except Exception as exc:  # noqa: BLE001
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run) for _ in range(3)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert GLItemLedgerRelation.objects.values("value_entry").distinct().count() == ValueEntry.objects.count()
    assert GLEntry.objects.count() == 2 * ValueEntry.objects.count()
    _books_in_step()


@pytest.mark.django_db(transaction=True)
def test_a_run_killed_half_way_leaves_nothing_half_posted_and_a_rerun_posts_the_rest(monkeypatch):
    company()
    item("A")
    post_item_journal([line("purchase", f"01-{day:02d}-20", 1, unit_cost=D("3")) for day in range(1, 11)])
    calls = {"n": 0}
    real = gl_posting._write

    def crash_on_third_chunk(*args, **kwargs):
        calls["n"] += 1
        report = real(*args, **kwargs)
        if calls["n"] == 3:
            raise RuntimeError("worker killed")
        return report

    monkeypatch.setattr(gl_posting, "_write", crash_on_third_chunk)
    with pytest.raises(RuntimeError):
        gl_posting.run_post_inventory_cost_to_gl(method="per_entry", chunk_size=2, parallel=1)
    assert ValueEntry.objects.exclude(cost_posted_to_gl=0).count() == 4  # two chunks committed, the third rolled back
    assert PostValueEntryToGL.objects.count() == 6
    _books_in_step()
    monkeypatch.setattr(gl_posting, "_write", real)
    rest = gl_posting.run_post_inventory_cost_to_gl(method="per_entry", chunk_size=2)
    assert rest.posted_value_entries == 6
    assert ValueEntry.objects.filter(cost_posted_to_gl=0).count() == 0
    assert GLEntry.objects.count() == 20
    _books_in_step()
    assert Decimal(GLEntry.objects.filter(gl_account_id="2130").aggregate(s=Sum("amount"))["s"]) == D("30.00")


@pytest.mark.django_db(transaction=True)
@pytest.mark.parametrize("method", ["per_entry", "per_posting_group"])
def test_chunks_posted_in_parallel_give_the_books_the_plan_says(method):
    """A large run posts two chunks at once in two connections (PARALLEL_CHUNKS). Whatever order the chunks commit
    in, every value entry is posted once, with exactly the lines the dry run plans, under one register."""
    company(expected_cost_posting=True)
    item("A")
    item("B", method="average")
    post_item_journal(
        [line("purchase", f"01-{day:02d}-20", day, unit_cost=D("3.10")) for day in range(1, 21)]
        + [line("sale", f"02-{day:02d}-20", 1) for day in range(1, 11)]
        + [line("purchase", f"01-{day:02d}-20", 2, item_no="B", unit_cost=D("1.55"), invoiced_quantity=D("0"))
           for day in range(1, 11)]
    )  # fmt: skip
    document = "INVT-P" if method == "per_posting_group" else None
    planned = gl_posting.run_post_inventory_cost_to_gl(method=method, document_no=document, post=False)
    report = gl_posting.run_post_inventory_cost_to_gl(method=method, document_no=document, chunk_size=4, parallel=2)
    assert report.posted_value_entries == planned.posted_value_entries == ValueEntry.objects.count() == 40
    with connection.cursor() as cur:
        cur.execute(
            "SELECT r.value_entry_no, g.gl_account_id, r.amount FROM costing_gl_item_ledger_relation r "
            "JOIN ledger_gl_entry g ON g.entry_no = r.gl_entry_no"
        )
        linked = sorted(cur.fetchall())
    assert linked == sorted((ln.value_entry_no, ln.gl_account, ln.amount) for ln in planned.lines)
    assert len(set(GLEntry.objects.values_list("register_id", flat=True))) == 1
    assert report.register_no == GLEntry.objects.values_list("register_id", flat=True).first()
    assert _balances() == {k: v for k, v in _by_account(planned).items() if v}
    assert PostValueEntryToGL.objects.count() == 0
    _books_in_step()
    # The chunks are the queue in entry order, four entries each, however the two connections' claims interleave in
    # time (claims take turns): a posting group's G/L entry sums the entries of one chunk, so the same queue always
    # gives the same G/L entries.
    chunks = defaultdict(set)
    for gl_entry, value_entry in GLItemLedgerRelation.objects.values_list("gl_entry_id", "value_entry_id"):
        chunks[gl_entry].add((value_entry - 1) // 4)
    assert all(len(blocks) == 1 for blocks in chunks.values())
    assert set().union(*chunks.values()) == set(range(10))


def _by_account(report):
    totals = {}
    for row in report.by_account():
        totals[row["gl_account"]] = totals.get(row["gl_account"], 0) + row["amount"]
    return totals


@pytest.mark.django_db(transaction=True)
def test_a_parallel_run_reports_each_skipped_entry_once_and_leaves_it_queued():
    """Skipped entries stay queued; the chunks after the one that skipped them (in either connection) claim above the
    run's highest claimed entry, so no chunk claims them again and the report names each once."""
    company()
    item("A")
    Location.objects.create(code="NOSETUP")
    post_item_journal(
        [
            line("purchase", f"01-{day:02d}-20", 1, unit_cost=D("2"), location="NOSETUP" if day % 3 == 0 else "EAST")
            for day in range(1, 25)
        ]
    )
    report = gl_posting.run_post_inventory_cost_to_gl(method="per_entry", chunk_size=4, parallel=2)
    skipped = [s.value_entry_no for s in report.skipped]
    assert sorted(skipped) == [3, 6, 9, 12, 15, 18, 21, 24]
    assert {s.code for s in report.skipped} == {"missing_setup"}
    assert report.posted_value_entries == 16
    assert sorted(PostValueEntryToGL.objects.values_list("value_entry_id", flat=True)) == skipped and len(
        set(skipped)
    ) == len(skipped)
    assert GLEntry.objects.count() == 32
    _books_in_step()


@pytest.mark.django_db
def test_a_value_entry_whose_two_lines_share_a_g_l_entry_has_one_relation_row():
    """An output's direct cost balances both its actual and its expected cost on WIP (table 1.4). Per posting group the
    two WIP lines of one value entry fall into one G/L entry; the relation, keyed by (value entry, G/L entry) as in
    Business Central, holds one row with both lines' amounts, so the G/L entry still equals the sum of its shares."""
    from costing.models import ItemLedgerEntry
    from tests.reports.examples import production_order

    company(expected_cost_posting=True)
    item("C")
    item("P")
    production_order()
    produced = ItemLedgerEntry.objects.get(entry_type="output")
    twin = ValueEntry.objects.get(item_ledger_entry=produced)
    twin.entry_no += 1000
    twin.cost_amount_actual, twin.cost_amount_expected, twin.expected_cost = D("20.00"), D("5.00"), True
    twin.save(force_insert=True)
    PostValueEntryToGL.objects.bulk_create(
        [
            PostValueEntryToGL(value_entry_id=v.entry_no, item_id=v.item_id, posting_date=v.posting_date)
            for v in ValueEntry.objects.exclude(entry_no__in=PostValueEntryToGL.objects.values("value_entry_id"))
        ]
    )
    report = gl_posting.run_post_inventory_cost_to_gl(method="per_posting_group", document_no="INVT-PROD")
    assert not report.skipped and PostValueEntryToGL.objects.count() == 0
    rows = list(
        GLItemLedgerRelation.objects.filter(value_entry=twin)
        .order_by("gl_entry__gl_account_id")
        .values_list("gl_entry__gl_account_id", "amount")
    )
    wip = "2140"
    assert rows == [("2130", D("20.00")), ("2131", D("5.00")), (wip, D("-25.00"))]
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(*) FROM ledger_gl_entry g JOIN (SELECT gl_entry_no, sum(amount) s FROM "
            "costing_gl_item_ledger_relation GROUP BY 1) r ON r.gl_entry_no = g.entry_no WHERE r.s <> g.amount"
        )
        assert cur.fetchone()[0] == 0
    # The output's two value entries, actual and expected, all on one WIP G/L entry of its date: 86.00 + 20.00 + 5.00.
    assert GLEntry.objects.filter(gl_account_id=wip, posting_date=twin.posting_date).get().amount == D("-111.00")

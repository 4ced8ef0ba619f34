"""The bridge from the inventory subledger to the books: value entries to G/L entries.

Rules: costing reference 1.1 (which setup supplies an account), 1.2 (amount to post = cost - cost posted to G/L),
1.3 (account +amount, balancing -amount), 1.4 / 1.5 (the mapping), 1.6 (the created entries and the G/L - item ledger
relation), 5.1 (posting methods, skipped entries) and 5.2 (test report warnings).

``plan`` computes, without writing, what posting a set of value entries would do: the G/L lines per value entry and
the skipped entries with their reasons. ``post_value_entries`` writes a plan through ``ledger.services``. The batch
run (``run_post_inventory_cost_to_gl``) drains the Post Value Entry to G/L queue in chunks, each chunk one
transaction that claims its queue rows with ``FOR UPDATE SKIP LOCKED``, posts them and deletes them, so a killed
run leaves nothing half-posted and two runs never post a value entry twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.bulk import copy_insert, load_rows, new_row
from core.errors import InvalidInput
from core.money import ZERO
from costing.models import (
    GLItemLedgerRelation,
    InventoryPostingSetup,
    InventorySetup,
    Item,
    PostValueEntryToGL,
    ValueEntry,
)
from ledger.models import GeneralPostingSetup, GLAccount
from ledger.services import GLLine, allowed_posting_range, post_transactions

PER_ENTRY = "per_entry"
PER_POSTING_GROUP = "per_posting_group"
SOURCE_CODE = "INVTPCOST"

# Account types (BC enum 48) and where each comes from: (setup, field).
INVENTORY = "inventory"
INVENTORY_INTERIM = "inventory_interim"
WIP = "wip_inventory"
MATERIAL_VARIANCE = "material_variance"
CAPACITY_VARIANCE = "capacity_variance"
SUBCONTRACTED_VARIANCE = "subcontracted_variance"
CAP_OVERHEAD_VARIANCE = "cap_overhead_variance"
MFG_OVERHEAD_VARIANCE = "mfg_overhead_variance"
INVENTORY_ADJMT = "inventory_adjmt"
DIRECT_COST_APPLIED = "direct_cost_applied"
OVERHEAD_APPLIED = "overhead_applied"
PURCHASE_VARIANCE = "purchase_variance"
COGS = "cogs"
COGS_INTERIM = "cogs_interim"
INVT_ACCRUAL_INTERIM = "invt_accrual_interim"

ACCOUNT_SOURCE = {
    INVENTORY: ("ips", "inventory_account"),
    INVENTORY_INTERIM: ("ips", "inventory_account_interim"),
    WIP: ("ips", "wip_account"),
    MATERIAL_VARIANCE: ("ips", "material_variance_account"),
    CAPACITY_VARIANCE: ("ips", "capacity_variance_account"),
    SUBCONTRACTED_VARIANCE: ("ips", "subcontracted_variance_account"),
    CAP_OVERHEAD_VARIANCE: ("ips", "cap_overhead_variance_account"),
    MFG_OVERHEAD_VARIANCE: ("ips", "mfg_overhead_variance_account"),
    INVENTORY_ADJMT: ("gps", "inventory_adjmt_account"),
    DIRECT_COST_APPLIED: ("gps", "direct_cost_applied_account"),
    OVERHEAD_APPLIED: ("gps", "overhead_applied_account"),
    PURCHASE_VARIANCE: ("gps", "purchase_variance_account"),
    COGS: ("gps", "cogs_account"),
    COGS_INTERIM: ("gps", "cogs_account_interim"),
    INVT_ACCRUAL_INTERIM: ("gps", "invt_accrual_account_interim"),
}

ACCOUNT_TYPE_LABELS = {
    INVENTORY: "Inventory",
    INVENTORY_INTERIM: "Inventory (Interim)",
    WIP: "WIP Inventory",
    MATERIAL_VARIANCE: "Material Variance",
    CAPACITY_VARIANCE: "Capacity Variance",
    SUBCONTRACTED_VARIANCE: "Subcontracted Variance",
    CAP_OVERHEAD_VARIANCE: "Cap. Overhead Variance",
    MFG_OVERHEAD_VARIANCE: "Mfg. Overhead Variance",
    INVENTORY_ADJMT: "Inventory Adjmt.",
    DIRECT_COST_APPLIED: "Direct Cost Applied",
    OVERHEAD_APPLIED: "Overhead Applied",
    PURCHASE_VARIANCE: "Purchase Variance",
    COGS: "COGS",
    COGS_INTERIM: "COGS (Interim)",
    INVT_ACCRUAL_INTERIM: "Invt. Accrual (Interim)",
}

VARIANCE_ACCOUNTS = {
    "material": MATERIAL_VARIANCE,
    "capacity": CAPACITY_VARIANCE,
    "subcontracted": SUBCONTRACTED_VARIANCE,
    "capacity_overhead": CAP_OVERHEAD_VARIANCE,
    "manufacturing_overhead": MFG_OVERHEAD_VARIANCE,
}

ACTUAL = "actual"
EXPECTED = "expected"


class InvalidCombination(Exception):
    """An item ledger entry type / value entry type / expected cost combination that has no accounts (1.4)."""


def account_types(ve) -> dict[str, tuple[str, str]]:
    """{part: (account type, balancing account type)} for a value entry, exactly table 1.4 / 1.5 of the reference."""
    ile, et, vt = ve.item_ledger_entry_type, ve.entry_type, ve.variance_type
    if not ile:
        if ve.order_type == "production" and et == "direct_cost":
            return {ACTUAL: (WIP, DIRECT_COST_APPLIED)}
        if ve.order_type == "production" and et == "indirect_cost":
            return {ACTUAL: (WIP, OVERHEAD_APPLIED)}
        raise InvalidCombination(ve)
    if ile == "purchase":
        table = {
            "direct_cost": {
                EXPECTED: (INVENTORY_INTERIM, INVT_ACCRUAL_INTERIM),
                ACTUAL: (INVENTORY, DIRECT_COST_APPLIED),
            },
            "indirect_cost": {ACTUAL: (INVENTORY, OVERHEAD_APPLIED)},
            "revaluation": {EXPECTED: (INVENTORY_INTERIM, INVT_ACCRUAL_INTERIM), ACTUAL: (INVENTORY, INVENTORY_ADJMT)},
            "rounding": {ACTUAL: (INVENTORY, INVENTORY_ADJMT)},
        }
        if et == "variance":
            if vt != "purchase":
                raise InvalidCombination(ve)
            return {ACTUAL: (INVENTORY, PURCHASE_VARIANCE)}
    elif ile == "sale":
        table = {
            "direct_cost": {EXPECTED: (INVENTORY_INTERIM, COGS_INTERIM), ACTUAL: (INVENTORY, COGS)},
            "revaluation": {EXPECTED: (INVENTORY_INTERIM, COGS_INTERIM), ACTUAL: (INVENTORY, INVENTORY_ADJMT)},
            "rounding": {ACTUAL: (INVENTORY, INVENTORY_ADJMT)},
        }
    elif ile in ("positive_adjmt", "negative_adjmt", "transfer"):
        table = {
            "direct_cost": {EXPECTED: (INVENTORY_INTERIM, COGS_INTERIM), ACTUAL: (INVENTORY, INVENTORY_ADJMT)},
            "revaluation": {ACTUAL: (INVENTORY, INVENTORY_ADJMT)},
            "rounding": {ACTUAL: (INVENTORY, INVENTORY_ADJMT)},
        }
    elif ile == "consumption":
        table = {
            "direct_cost": {ACTUAL: (INVENTORY, WIP)},
            "revaluation": {ACTUAL: (INVENTORY, INVENTORY_ADJMT)},
            "rounding": {ACTUAL: (INVENTORY, INVENTORY_ADJMT)},
        }
    elif ile == "output":
        table = {
            "direct_cost": {EXPECTED: (INVENTORY_INTERIM, WIP), ACTUAL: (INVENTORY, WIP)},
            "indirect_cost": {ACTUAL: (INVENTORY, OVERHEAD_APPLIED)},
            "revaluation": {EXPECTED: (INVENTORY_INTERIM, WIP), ACTUAL: (INVENTORY, INVENTORY_ADJMT)},
            "rounding": {ACTUAL: (INVENTORY, INVENTORY_ADJMT)},
        }
        if et == "variance":
            if vt not in VARIANCE_ACCOUNTS:
                raise InvalidCombination(ve)
            return {ACTUAL: (INVENTORY, VARIANCE_ACCOUNTS[vt])}
    else:
        raise InvalidCombination(ve)
    if et not in table:
        raise InvalidCombination(ve)
    return table[et]


# ---------------------------------------------------------------------------------------------------- the plan


@dataclass
class PlannedLine:
    value_entry_no: int
    part: str
    account_type: str
    gl_account: str
    amount: Decimal
    posting_date: date
    document_no: str
    location: str | None
    inventory_posting_group: str | None
    gen_bus_posting_group: str | None
    gen_prod_posting_group: str | None
    balancing: bool
    description: str


@dataclass
class Skipped:
    value_entry_no: int
    reason: str
    code: str


@dataclass
class Plan:
    lines: list[PlannedLine] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    # value entries whose amounts are all posted after this plan (posted now, or nothing was left to post)
    done: list[int] = field(default_factory=list)
    # per value entry: (actual part, expected part) this plan posts
    parts: dict[int, tuple[Decimal, Decimal]] = field(default_factory=dict)


class _Setups:
    """Posting setups and accounts loaded once per plan."""

    def __init__(self):
        self.ips = {(s.location_id, s.inventory_posting_group_id): s for s in InventoryPostingSetup.objects.all()}
        self.gps = {
            (s.gen_bus_posting_group_id, s.gen_prod_posting_group_id): s for s in GeneralPostingSetup.objects.all()
        }
        self.accounts = {a.no: a for a in GLAccount.objects.all()}
        self.item_groups: dict[str, str] = {}

    def item_group(self, item_no: str) -> str | None:
        if item_no not in self.item_groups:
            self.item_groups[item_no] = (
                Item.objects.filter(no=item_no).values_list("inventory_posting_group_id", flat=True).first()
            )
        return self.item_groups[item_no]


def _describe(ve, account_type, labels: dict | None = None) -> str:
    # The entry type's label is a lazy translation: looked up once per type and plan (``labels``), not per line.
    if labels is None:
        label = ve.get_entry_type_display()
    else:
        label = labels.get(ve.entry_type)
        if label is None:
            label = labels[ve.entry_type] = ve.get_entry_type_display()
    return f"{label} {ve.item_id or ve.capacity_no} on {ve.posting_date:%Y-%m-%d}"


def _resolve(setups: _Setups, ve, account_type: str) -> tuple[str | None, str | None, str]:
    """(account no., None) or (None, reason code, message) for one account type of a value entry."""
    where, field_name = ACCOUNT_SOURCE[account_type]
    if where == "ips":
        group = ve.inventory_posting_group_id
        if account_type == WIP and ve.source_no and ve.source_no != ve.item_id:
            # Consumption posts WIP on the produced item's posting group (1.1).
            group = setups.item_group(ve.source_no) or group
        setup = setups.ips.get((ve.location_id, group))
        if setup is None:
            return (
                None,
                "missing_setup",
                _("Inventory Posting Setup is missing for location %(loc)s and inventory posting group %(grp)s.")
                % {"loc": ve.location_id or "''", "grp": group},
            )
        key = f"{ve.location_id or ''} {group}"
    else:
        setup = setups.gps.get((ve.gen_bus_posting_group_id, ve.gen_prod_posting_group_id))
        if setup is None:
            return (
                None,
                "missing_setup",
                _(
                    "General Posting Setup is missing for gen. bus. posting group %(bus)s and "
                    "gen. prod. posting group %(prod)s."
                )
                % {"bus": ve.gen_bus_posting_group_id or "''", "prod": ve.gen_prod_posting_group_id},
            )
        if setup.blocked:
            return (
                None,
                "setup_blocked",
                _("General Posting Setup %(bus)s / %(prod)s is blocked.")
                % {"bus": ve.gen_bus_posting_group_id or "''", "prod": ve.gen_prod_posting_group_id},
            )
        key = f"{ve.gen_bus_posting_group_id or ''} {ve.gen_prod_posting_group_id}"
    account_no = getattr(setup, f"{field_name}_id")
    if not account_no:
        # The setup's name is translated only for the message (not for every line resolved).
        name = _("Inventory Posting Setup") if where == "ips" else _("General Posting Setup")
        return (
            None,
            "missing_account",
            _("%(field)s is missing in %(setup)s, %(key)s.")
            % {"field": setup._meta.get_field(field_name).verbose_name, "setup": name, "key": key.strip()},
        )
    account = setups.accounts[account_no]
    if account.blocked:
        return None, "blocked_account", _("G/L account %(no)s is blocked.") % {"no": account_no}
    if account.account_type != GLAccount.AccountType.POSTING:
        return None, "heading_account", _("G/L account %(no)s is not a posting account.") % {"no": account_no}
    return account_no, None, ""


def plan(
    value_entries: Iterable, *, expected_posting: bool, check_dates: bool = True, setups: _Setups | None = None
) -> Plan:
    """What posting these value entries would do. Pure: reads setups, writes nothing."""
    setups = setups or _Setups()
    result = Plan()
    allowed = allowed_posting_range() if check_dates else (None, None)
    labels: dict[str, str] = {}
    for ve in value_entries:
        actual = ve.cost_amount_actual - ve.cost_posted_to_gl
        expected = ve.cost_amount_expected - ve.expected_cost_posted_to_gl if expected_posting else ZERO
        if ve.expected_cost and not expected_posting and ve.expected_cost_posted_to_gl == 0 and actual == 0:
            if ve.cost_amount_expected != 0:
                result.skipped.append(
                    Skipped(
                        ve.entry_no,
                        _("Expected cost is not posted to the G/L (expected cost posting to G/L is off)."),
                        "expected_cost_off",
                    )
                )
            continue
        if actual == 0 and expected == 0:
            result.done.append(ve.entry_no)
            continue
        try:
            types = account_types(ve)
        except InvalidCombination:
            result.skipped.append(
                Skipped(
                    ve.entry_no,
                    _(
                        "The combination item ledger entry type %(ile)s, entry type "
                        "%(et)s and expected cost %(exp)s is not allowed."
                    )
                    % {"ile": ve.item_ledger_entry_type or "''", "et": ve.entry_type, "exp": ve.expected_cost},
                    "invalid_combination",
                )
            )
            continue
        start, end = allowed
        if (start and ve.posting_date < start) or (end and ve.posting_date > end):
            result.skipped.append(
                Skipped(
                    ve.entry_no,
                    _("Posting date %(date)s is not within the allowed posting dates.") % {"date": ve.posting_date},
                    "date_not_allowed",
                )
            )
            continue
        lines = []
        problem = None
        for part, amount in ((ACTUAL, actual), (EXPECTED, expected)):
            if amount == 0:
                continue
            if part not in types:
                problem = Skipped(
                    ve.entry_no,
                    _("Entry type %(et)s cannot carry expected cost.") % {"et": ve.entry_type},
                    "invalid_combination",
                )
                break
            account_type, balancing_type = types[part]
            for kind, balancing, signed in ((account_type, False, amount), (balancing_type, True, -amount)):
                account, code, message = _resolve(setups, ve, kind)
                if account is None:
                    problem = Skipped(ve.entry_no, message, code)
                    break
                lines.append(
                    PlannedLine(
                        value_entry_no=ve.entry_no,
                        part=part,
                        account_type=kind,
                        gl_account=account,
                        amount=signed,
                        posting_date=ve.posting_date,
                        document_no=ve.document_no,
                        location=ve.location_id,
                        inventory_posting_group=ve.inventory_posting_group_id,
                        gen_bus_posting_group=ve.gen_bus_posting_group_id,
                        gen_prod_posting_group=ve.gen_prod_posting_group_id,
                        balancing=balancing,
                        description=_describe(ve, kind, labels),
                    )
                )
            if problem:
                break
        if problem:
            result.skipped.append(problem)
            continue
        result.lines.extend(lines)
        result.parts[ve.entry_no] = (actual, expected)
        result.done.append(ve.entry_no)
    return result


# ------------------------------------------------------------------------------------------------------ posting


@dataclass
class Report:
    method: str
    posted: bool
    lines: list[PlannedLine] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)
    gl_entries: list = field(default_factory=list)
    posted_value_entries: int = 0
    register_no: int | None = None

    def extend(self, other: Report) -> None:
        self.lines.extend(other.lines)
        self.skipped.extend(other.skipped)
        self.gl_entries.extend(other.gl_entries)
        self.posted_value_entries += other.posted_value_entries
        self.register_no = self.register_no or other.register_no

    def by_account(self) -> list[dict]:
        totals: dict[tuple, Decimal] = defaultdict(lambda: ZERO)
        for line in self.lines:
            totals[(line.gl_account, line.account_type)] += line.amount
        return [
            {"gl_account": acc, "account_type": typ, "amount": amount} for (acc, typ), amount in sorted(totals.items())
        ]

    def as_dict(self) -> dict:
        return {
            "posting_method": self.method,
            "posted": self.posted,
            "posted_value_entries": self.posted_value_entries,
            "gl_entries": [g.entry_no for g in self.gl_entries],
            "register_no": self.register_no,
            "lines": [
                {
                    "value_entry_no": ln.value_entry_no,
                    "part": ln.part,
                    "account_type": ln.account_type,
                    "gl_account": ln.gl_account,
                    "amount": str(ln.amount),
                    "posting_date": ln.posting_date.isoformat(),
                    "document_no": ln.document_no,
                }
                for ln in self.lines
            ],
            "by_account": [{**row, "amount": str(row["amount"])} for row in self.by_account()],
            "skipped": [{"value_entry_no": s.value_entry_no, "reason": s.reason, "code": s.code} for s in self.skipped],
        }


def _group_key(line: PlannedLine) -> tuple:
    return (
        line.posting_date,
        line.account_type,
        line.location or "",
        line.inventory_posting_group or "",
        line.gen_bus_posting_group or "",
        line.gen_prod_posting_group or "",
        line.amount < 0,
        line.gl_account,
        line.balancing,
    )


def _next_ids(model, count: int) -> list[int]:
    """``count`` values of the model's id sequence, in one round trip."""
    if not count:
        return []
    with connection.cursor() as cur:
        cur.execute(
            "SELECT nextval(pg_get_serial_sequence(%s, 'id')) FROM generate_series(1, %s)",
            [model._meta.db_table, count],
        )
        return [row[0] for row in cur.fetchall()]


def _write(planned: Plan, *, method: str, document_no: str | None, user, register=None) -> Report:
    """Post a plan through the ledger service, link every G/L entry to its value entries, mark them posted."""
    report = Report(method=method, posted=True, lines=planned.lines, skipped=planned.skipped)
    if planned.lines:
        if method == PER_ENTRY:
            by_entry: dict[int, list[GLLine]] = {}
            for ln in planned.lines:
                by_entry.setdefault(ln.value_entry_no, []).append(
                    GLLine(
                        gl_account=ln.gl_account,
                        amount=ln.amount,
                        posting_date=ln.posting_date,
                        document_no=ln.document_no,
                        description=ln.description,
                        tag={ln.value_entry_no: ln.amount},
                    )
                )
            transactions = list(by_entry.values())
        else:
            groups: dict[tuple, list] = {}
            for ln in planned.lines:
                bucket = groups.setdefault(_group_key(ln), [ZERO, defaultdict(lambda: ZERO)])
                bucket[0] += ln.amount
                bucket[1][ln.value_entry_no] += ln.amount
            by_date: dict[date, list[GLLine]] = {}
            for key, (amount, entries) in groups.items():
                posting_date, account_type, loc, ipg, gbus, gprod, _neg, account, _bal = key
                if amount == 0:
                    continue
                by_date.setdefault(posting_date, []).append(
                    GLLine(
                        gl_account=account,
                        amount=amount,
                        posting_date=posting_date,
                        document_no=document_no or "",
                        description=f"{ACCOUNT_TYPE_LABELS[account_type]}, {loc},{ipg},{gbus},{gprod}",
                        tag=dict(entries),
                    )
                )
            transactions = [lines for _d, lines in sorted(by_date.items())]
        transactions = [tx for tx in transactions if tx]
        if transactions:
            posted = post_transactions(
                transactions, source_code=SOURCE_CODE, user=user, register=register, check_dates=False
            )
            report.gl_entries = posted.entries
            report.register_no = posted.register.no
            # COPY, as posting writes its entries (core.bulk): a million relation rows are not built through the ORM.
            # The ids come from the table's identity sequence, taken in one call.
            register_no = posted.register.no
            pairs = [(entry.entry_no, ve_no, share) for entry in posted.entries for ve_no, share in entry.tag.items()]
            ids = _next_ids(GLItemLedgerRelation, len(pairs))
            copy_insert(
                GLItemLedgerRelation,
                [
                    new_row(
                        GLItemLedgerRelation,
                        id=row_id,
                        gl_entry_id=gl_no,
                        value_entry_id=ve_no,
                        gl_register_id=register_no,
                        amount=share,
                    )
                    for row_id, (gl_no, ve_no, share) in zip(ids, pairs, strict=True)
                ],
            )
    if planned.parts:
        numbers = list(planned.parts)
        with connection.cursor() as cur:
            cur.execute(
                """
                UPDATE costing_value_entry v
                   SET cost_posted_to_gl = v.cost_posted_to_gl + p.actual,
                       expected_cost_posted_to_gl = v.expected_cost_posted_to_gl + p.expected
                  FROM (SELECT unnest(%s::bigint[]) AS no, unnest(%s::numeric[]) AS actual,
                               unnest(%s::numeric[]) AS expected) p
                 WHERE v.entry_no = p.no
                """,
                [numbers, [planned.parts[n][0] for n in numbers], [planned.parts[n][1] for n in numbers]],
            )
    if planned.done:
        with connection.cursor() as cur:
            cur.execute("DELETE FROM costing_post_value_entry_to_gl WHERE value_entry_no = ANY(%s)", [planned.done])
    report.posted_value_entries = len(planned.parts)
    return report


def post_value_entries(
    value_entries: Sequence[ValueEntry],
    *,
    method: str = PER_ENTRY,
    document_no: str | None = None,
    user=None,
    setup: InventorySetup | None = None,
    from_item_posting: bool = False,
) -> Report:
    """Post these value entries now (automatic cost posting, adjustment runs). Runs in the caller's transaction.

    From item posting a missing or blocked account is an error, as in Business Central: the item posting fails
    rather than leave the books out of step silently.
    """
    setup = setup or InventorySetup.get()
    planned = plan(value_entries, expected_posting=setup.expected_cost_posting_to_gl, check_dates=False)
    if from_item_posting and planned.skipped:
        problems = [s for s in planned.skipped if s.code != "expected_cost_off"]
        if problems:
            first = problems[0]
            raise InvalidInput.field(
                "lines",
                _("Automatic cost posting failed for value entry %(no)s: %(reason)s")
                % {"no": first.value_entry_no, "reason": first.reason},
            )
    with transaction.atomic():
        return _write(planned, method=method, document_no=document_no, user=user)


def check_options(method: str, document_no: str | None) -> None:
    if method not in (PER_ENTRY, PER_POSTING_GROUP):
        raise InvalidInput.field("posting_method", _("Posting method must be per_entry or per_posting_group."))
    if method == PER_POSTING_GROUP and not document_no:
        raise InvalidInput.field("document_no", _("Enter a document no. when posting per posting group."))
    if method == PER_ENTRY and document_no:
        raise InvalidInput.field(
            "document_no",
            _(
                "Do not enter a document no. when posting per entry: each G/L "
                "entry takes the document no. of its value entry."
            ),
        )


def run_post_inventory_cost_to_gl(
    *,
    method: str = PER_ENTRY,
    document_no: str | None = None,
    post: bool = True,
    items: Sequence[str] | None = None,
    posting_date_to: date | None = None,
    user=None,
    chunk_size: int = 5000,
    progress: Callable[[int, int], None] | None = None,
) -> Report:
    """Post Inventory Cost to G/L (report 1002) over the queue.

    Each chunk is one transaction: claim queue rows (``FOR UPDATE SKIP LOCKED``, in entry order), plan, post, delete
    the posted rows. With ``post=False`` nothing is written and the report says what would be posted. Per posting
    group, each chunk's groups become G/L entries in the run's one register.
    """
    check_options(method, document_no)
    setup = InventorySetup.get()
    setups = _Setups()
    report = Report(method=method, posted=post)
    queue = PostValueEntryToGL.objects.order_by("value_entry_id")
    if items:
        queue = queue.filter(item_id__in=items)
    if posting_date_to:
        queue = queue.filter(posting_date__lte=posting_date_to)
    total = queue.count()
    done = 0
    register = None
    if not post:
        numbers = list(queue.values_list("value_entry_id", flat=True))
        for start in range(0, len(numbers), chunk_size):
            chunk = ValueEntry.objects.filter(entry_no__in=numbers[start : start + chunk_size]).order_by("entry_no")
            planned = plan(chunk, expected_posting=setup.expected_cost_posting_to_gl, setups=setups)
            report.lines.extend(planned.lines)
            report.skipped.extend(planned.skipped)
            report.posted_value_entries += len(planned.parts)
            done += len(numbers[start : start + chunk_size])
            if progress:
                progress(done, total)
        return report
    seen_skipped: set[int] = set()
    while True:
        with transaction.atomic():
            claimed = list(
                queue.exclude(value_entry_id__in=seen_skipped)
                .select_for_update(skip_locked=True)
                .values_list("value_entry_id", flat=True)[:chunk_size]
            )
            if not claimed:
                break
            entries = load_rows(ValueEntry, "entry_no = ANY(%s) ORDER BY entry_no", [claimed])
            planned = plan(entries, expected_posting=setup.expected_cost_posting_to_gl, setups=setups)
            chunk_report = _write(planned, method=method, document_no=document_no, user=user, register=register)
            if chunk_report.register_no and register is None:
                from ledger.models import GLRegister

                register = GLRegister.objects.get(no=chunk_report.register_no)
        report.extend(chunk_report)
        seen_skipped.update(s.value_entry_no for s in planned.skipped)
        done += len(claimed)
        if progress:
            progress(min(done, total), total)
    return report


def test_report(*, method: str = PER_ENTRY, document_no: str | None = None, items=None) -> dict:
    """Post Invt. Cost to G/L - Test (5.2): the prospective lines and every warning, without posting."""
    check_options(method, document_no)
    setup = InventorySetup.get()
    queue = PostValueEntryToGL.objects.order_by("value_entry_id")
    if items:
        queue = queue.filter(item_id__in=items)
    entries = ValueEntry.objects.filter(entry_no__in=queue.values("value_entry_id")).order_by("entry_no")
    planned = plan(entries, expected_posting=setup.expected_cost_posting_to_gl)
    report = Report(method=method, posted=False, lines=planned.lines, skipped=planned.skipped)
    report.posted_value_entries = len(planned.parts)
    body = report.as_dict()
    body["warnings"] = [
        {"value_entry_no": s.value_entry_no, "code": s.code, "message": s.reason} for s in planned.skipped
    ]
    return body

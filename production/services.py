"""Production: writes. Orders (create, release, finish), consumption, capacity and output postings, the standard cost
calculation, and the order-level step of Adjust Cost.

Rules: costing reference 1.4/1.5 (accounts, already mapped in costing.gl_posting), 4.1 (order-level adjustment: for
finished orders expected cost turns to actual, WIP is cleared, variances are posted), 4.5 (variance and the standard
cost shares), 4.6 (links are raw material until consumed, WIP in an open order, finished goods once the output is
adjusted). How it fits the engine: docs/production.md.

Every posting goes through ``costing.posting.Posting`` (one transaction, its counter locks, automatic cost posting or
the G/L queue). Consumption and output are ordinary item journal lines with an ``order_no``; capacity is a pair of
value entries with no item ledger entry (Direct Cost and Indirect Cost, on WIP).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from django.db import connection, transaction
from django.utils.translation import gettext as _

from core.errors import Conflict, InvalidInput
from core.money import ZERO, allocate, dec, round_amount, round_unit_cost
from core.sequences import NumberBlock
from costing.models import (
    CostingMethod,
    InventorySetup,
    Item,
    ItemLedgerEntry,
    ItemLedgerEntryType,
    ItemRegister,
    Location,
    PostValueEntryToGL,
    ValueEntry,
    ValueEntryType,
    VarianceType,
)
from costing.posting import JournalLine, Posting, PostingGate, PostingResult
from production.models import (
    BOMComponent,
    ProductionOrder,
    ProductionOrderStatus,
    RoutingOperation,
    StandardCostShares,
    WorkCenter,
)

SOURCE_CAPACITY = "CAPJNL"
SOURCE_ADJUST_COST = "INVTADJMT"
PRODUCTION = "production"
SHARES = StandardCostShares.SHARES
# The variance type of each cost share (4.5, 1.4 rows 22-27).
VARIANCE_OF_SHARE = {
    "material": VarianceType.MATERIAL,
    "capacity": VarianceType.CAPACITY,
    "subcontracted": VarianceType.SUBCONTRACTED,
    "capacity_overhead": VarianceType.CAPACITY_OVERHEAD,
    "manufacturing_overhead": VarianceType.MANUFACTURING_OVERHEAD,
}


# ------------------------------------------------------------------------------------------- standard cost (4.5)


def calculate_standard_cost(item_no: str) -> StandardCostShares:
    """Calculate Standard Cost, single level (4.5): roll the item's BOM and routing up into its cost shares.

    Material = Σ quantity per × the component's standard cost (Standard items) or unit cost; Capacity and Subcontracted
    = Σ run time × direct unit cost of the (subcontracted) work centers; Cap. Overhead = Σ run time × (direct unit cost
    × indirect % / 100 + overhead rate); Mfg. Overhead = (the four before) × the item's indirect % / 100 + its overhead
    rate. The item's standard cost (and, for a Standard item, its unit cost) becomes their sum. Components' own
    standard costs are taken as they are (no multi-level roll-up).
    """
    with transaction.atomic():
        item = Item.objects.select_for_update().filter(no=item_no).first()
        if item is None:
            raise InvalidInput.field("item", _("Item %(no)s does not exist.") % {"no": item_no})
        shares = dict.fromkeys(SHARES, ZERO)
        for line in BOMComponent.objects.filter(item=item).select_related("component"):
            component = line.component
            standard = component.costing_method == CostingMethod.STANDARD
            unit = component.standard_cost if standard else component.unit_cost
            shares["material"] += line.quantity_per * unit
        for op in RoutingOperation.objects.filter(item=item).select_related("work_center"):
            wc = op.work_center
            direct = op.run_time * wc.direct_unit_cost
            shares["subcontracted" if wc.subcontracted else "capacity"] += direct
            shares["capacity_overhead"] += op.run_time * (
                wc.direct_unit_cost * wc.indirect_cost_percent / 100 + wc.overhead_rate
            )
        base = sum(shares.values(), ZERO)
        shares["manufacturing_overhead"] = base * item.indirect_cost_percent / 100 + item.overhead_rate
        shares = {name: round_unit_cost(value) for name, value in shares.items()}
        record, _created = StandardCostShares.objects.update_or_create(item=item, defaults=shares)
        total = round_unit_cost(sum(shares.values(), ZERO))
        changes = {"standard_cost": total}
        if item.costing_method == CostingMethod.STANDARD:
            changes["unit_cost"] = total
        Item.objects.filter(no=item.no).update(**changes)
        return record


# ------------------------------------------------------------------------------------------------------- orders


def _order(no: str, *, lock: bool = False) -> ProductionOrder:
    qs = ProductionOrder.objects.select_related("item")
    if lock:
        qs = qs.select_for_update()
    order = qs.filter(no=no).first()
    if order is None:
        raise InvalidInput.field("order_no", _("Production order %(no)s does not exist.") % {"no": no})
    return order


def _released(no: str, path: str = "order_no") -> ProductionOrder:
    order = ProductionOrder.objects.select_related("item").filter(no=no).first()
    if order is None:
        raise InvalidInput.field(path, _("Production order %(no)s does not exist.") % {"no": no})
    if order.status != ProductionOrderStatus.RELEASED:
        raise Conflict(
            _("Production order %(no)s is %(status)s; only a released order takes postings.")
            % {"no": no, "status": order.get_status_display()},
            code="order_not_released",
            errors={path: [_("The order is not released.")]},
        )
    return order


def create_order(
    *,
    item: str,
    quantity,
    no: str = "",
    location: str = "",
    due_date: date | None = None,
    status: str = ProductionOrderStatus.RELEASED,
    description: str = "",
) -> ProductionOrder:
    """A firm planned or released production order for ``quantity`` of ``item``. A blank ``no`` takes the next
    RPO number."""
    quantity = dec(quantity)
    if quantity <= 0:
        raise InvalidInput.field("quantity", _("Quantity must be positive."))
    if status not in (ProductionOrderStatus.FIRM_PLANNED, ProductionOrderStatus.RELEASED):
        raise InvalidInput.field("status", _("A new order is firm planned or released."))
    produced = Item.objects.filter(no=item).first()
    if produced is None:
        raise InvalidInput.field("item", _("Item %(no)s does not exist.") % {"no": item})
    if produced.blocked:
        raise InvalidInput.field("item", _("Item %(no)s is blocked.") % {"no": item})
    if location and not Location.objects.filter(code=location).exists():
        raise InvalidInput.field("location", _("Location %(code)s does not exist.") % {"code": location})
    with transaction.atomic():
        if not no:
            # Numbers are handed out one at a time: an advisory lock for the series, then the highest number + 1.
            with connection.cursor() as cur:
                cur.execute("SELECT pg_advisory_xact_lock(hashtext('production_order_no'))")
                cur.execute("SELECT max(no) FROM production_order WHERE no ~ '^RPO[0-9]{5}$'")
                last = cur.fetchone()[0]
            no = f"RPO{int(last[3:]) + 1 if last else 1:05d}"
        elif ProductionOrder.objects.filter(no=no).exists():
            raise Conflict(_("Production order %(no)s already exists.") % {"no": no}, code="order_exists")
        return ProductionOrder.objects.create(
            no=no,
            item=produced,
            description=description or produced.description,
            quantity=quantity,
            location_id=location or None,
            due_date=due_date,
            status=status,
        )


def _move_status(no: str, old: str, new: str, **changes) -> ProductionOrder:
    """Conditional UPDATE ... WHERE status = old: exactly one row or the order was not in ``old``."""
    with transaction.atomic():
        order = _order(no)
        if ProductionOrder.objects.filter(no=no, status=old).update(status=new, **changes) != 1:
            raise Conflict(
                _("Production order %(no)s is %(status)s, not %(expected)s.")
                % {"no": no, "status": order.get_status_display(), "expected": ProductionOrderStatus(old).label},
                code="order_status",
            )
        order.refresh_from_db()
        return order


def release_order(no: str) -> ProductionOrder:
    return _move_status(no, ProductionOrderStatus.FIRM_PLANNED, ProductionOrderStatus.RELEASED)


def finish_order(no: str, *, posting_date: date) -> ProductionOrder:
    """Finish a released order. Its cost is settled by the next Adjust Cost (order level, 4.1)."""
    return _move_status(no, ProductionOrderStatus.RELEASED, ProductionOrderStatus.FINISHED, finished_on=posting_date)


# ------------------------------------------------------------------------------------------------------ posting


def check_journal_line(line: JournalLine, item: Item, path: str) -> None:
    """Posting hook for consumption and output lines (costing.posting): a released order, the right item and
    location; output is posted at expected cost (standard cost for Standard items, else the material and capacity
    posted to the order so far that earlier outputs have not taken)."""
    if line.entry_type not in (ItemLedgerEntryType.CONSUMPTION, ItemLedgerEntryType.OUTPUT):
        raise InvalidInput.field(f"{path}.order_no", _("Only consumption and output lines take an order no."))
    if not line.order_no:
        raise InvalidInput.field(f"{path}.order_no", _("A consumption or output line needs a production order no."))
    order = _released(line.order_no, f"{path}.order_no")
    if dec(line.quantity) <= 0:
        raise InvalidInput.field(
            f"{path}.quantity", _("Consumption and output quantities must be positive (no reversals).")
        )
    if line.applies_from_entry:
        raise InvalidInput.field(f"{path}.applies_from_entry", _("Production lines cannot apply from an entry."))
    if line.entry_type == ItemLedgerEntryType.CONSUMPTION:
        if item.no == order.item_id:
            raise InvalidInput.field(f"{path}.item", _("An order cannot consume the item it produces."))
        if line.invoiced_quantity is not None and dec(line.invoiced_quantity) != dec(line.quantity):
            raise InvalidInput.field(f"{path}.invoiced_quantity", _("Consumption is always fully valued."))
        if line.unit_cost is not None:
            raise InvalidInput.field(f"{path}.unit_cost", _("Consumption takes its cost from its application."))
        return
    if item.no != order.item_id:
        raise InvalidInput.field(
            f"{path}.item", _("Order %(no)s produces %(item)s.") % {"no": order.no, "item": order.item_id}
        )
    if (line.location or None) != order.location_id:
        raise InvalidInput.field(
            f"{path}.location",
            _("Order %(no)s produces at location %(loc)s.") % {"no": order.no, "loc": order.location_id or "-"},
        )
    if line.invoiced_quantity not in (None, 0) and dec(line.invoiced_quantity) != 0:
        raise InvalidInput.field(
            f"{path}.invoiced_quantity", _("Output is posted at expected cost; Adjust Cost makes it actual.")
        )
    line.invoiced_quantity = ZERO
    if item.costing_method != CostingMethod.STANDARD and line.unit_cost is None:
        totals = order_totals(order.no)
        left = totals["material"] + totals["capacity"] + totals["subcontracted"] + totals["capacity_overhead"]
        left -= totals["output_direct"]
        line.unit_cost = round_unit_cost(max(left, ZERO) / dec(line.quantity))


def stamp_order_fields(value_entries: Sequence[ValueEntry]) -> None:
    """Posting and adjustment hook: consumption and output value entries carry their order (copied from the item
    ledger entry when missing) and the produced item as source no., so WIP posts on its posting group (1.1)."""
    todo = [
        v
        for v in value_entries
        if v.item_ledger_entry_type in (ItemLedgerEntryType.CONSUMPTION, ItemLedgerEntryType.OUTPUT) and not v.source_no
    ]
    if not todo:
        return
    missing = {v.item_ledger_entry_id for v in todo if not v.order_no}
    if missing:
        fields = {
            no: (ot, on, ol)
            for no, ot, on, ol in ItemLedgerEntry.objects.filter(entry_no__in=missing).values_list(
                "entry_no", "order_type", "order_no", "order_line_no"
            )
        }
        for v in todo:
            if not v.order_no and v.item_ledger_entry_id in fields:
                v.order_type, v.order_no, v.order_line_no = fields[v.item_ledger_entry_id]
    orders = dict(
        ProductionOrder.objects.filter(no__in={v.order_no for v in todo if v.order_no}).values_list("no", "item_id")
    )
    for v in todo:
        if v.order_no in orders:
            v.source_no = orders[v.order_no]


@dataclass
class ComponentLine:
    item: str
    quantity: Decimal
    location: str | None = None  # None: the order's location
    applies_to_entry: int | None = None


def post_consumption(
    no: str,
    *,
    posting_date: date,
    document_no: str,
    components: Sequence[ComponentLine] | None = None,
    user=None,
) -> PostingResult:
    """Consume components into the order's WIP. Without ``components``: the BOM's quantity per × order quantity."""
    order = _released(no)
    if components is None:
        components = [
            ComponentLine(c.component_id, c.quantity_per * order.quantity)
            for c in BOMComponent.objects.filter(item_id=order.item_id).order_by("line_no")
        ]
        if not components:
            raise InvalidInput.field(
                "components", _("Item %(no)s has no BOM: name the components.") % {"no": order.item_id}
            )
    lines = [
        JournalLine(
            entry_type=ItemLedgerEntryType.CONSUMPTION,
            posting_date=posting_date,
            document_no=document_no,
            item=c.item,
            quantity=dec(c.quantity),
            location=(order.location_id or "") if c.location is None else c.location,
            applies_to_entry=c.applies_to_entry,
            order_no=order.no,
        )
        for c in components
    ]
    with Posting(user=user) as posting:
        posting.post_lines(lines)
    return posting.result


def post_output(no: str, *, posting_date: date, document_no: str, quantity, user=None) -> PostingResult:
    """Output of the produced item at expected cost (an Output item ledger entry, not invoiced)."""
    order = _released(no)
    line = JournalLine(
        entry_type=ItemLedgerEntryType.OUTPUT,
        posting_date=posting_date,
        document_no=document_no,
        item=order.item_id,
        quantity=dec(quantity),
        invoiced_quantity=ZERO,
        location=order.location_id or "",
        order_no=order.no,
    )
    with Posting(user=user) as posting:
        posting.post_lines([line])
    return posting.result


def post_capacity(
    no: str, *, posting_date: date, document_no: str, work_center: str, run_time, operation_no: str = "", user=None
) -> PostingResult:
    """Capacity used on a work center: value entries with no item ledger entry, on WIP (1.5).

    Direct cost = run time × direct unit cost; indirect cost = direct cost × indirect % / 100 + overhead rate × run
    time. The produced item, the order's location and the work center are on the entries.
    """
    order = _released(no)
    wc = WorkCenter.objects.filter(no=work_center).first()
    if wc is None:
        raise InvalidInput.field("work_center", _("Work center %(no)s does not exist.") % {"no": work_center})
    run_time = dec(run_time)
    if run_time <= 0:
        raise InvalidInput.field("run_time", _("Run time must be positive."))
    if not document_no:
        raise InvalidInput.field("document_no", _("A document no. is required."))
    direct = round_amount(run_time * wc.direct_unit_cost)
    indirect = round_amount(direct * wc.indirect_cost_percent / 100 + wc.overhead_rate * run_time)
    if direct == 0 and indirect == 0:
        raise InvalidInput.field("work_center", _("Work center %(no)s has no cost to post.") % {"no": wc.no})
    with Posting(user=user, source_code=SOURCE_CAPACITY) as posting:
        posting.gate.check(posting_date, "posting_date")
        posting._load_items([order.item_id])
        item = posting.items[order.item_id]
        for entry_type, amount in ((ValueEntryType.DIRECT_COST, direct), (ValueEntryType.INDIRECT_COST, indirect)):
            if amount:
                ve = posting._value_entry(
                    None,
                    item=item,
                    entry_type=entry_type,
                    posting_date=posting_date,
                    document_no=document_no,
                    valued_quantity=run_time,
                    invoiced_quantity=run_time,
                    actual=amount,
                    location_id=order.location_id,
                    order_type=PRODUCTION,
                    order_no=order.no,
                    order_line_no=1,
                    source_no=order.item_id,
                    capacity_no=wc.no,
                )
                ve.description = (f"{operation_no} {wc.name}" if operation_no else wc.name)[:100]
    return posting.result


# ------------------------------------------------------------------------------------------------ order totals


def order_totals(no: str) -> dict[str, Decimal]:
    """What the order's value entries hold, by cost share: one grouped query.

    material: consumption direct cost (positive); capacity / subcontracted / capacity_overhead: capacity entries;
    output_direct: the output's direct cost (actual + expected); output_expected; output_indirect; variance_<type>;
    output_quantity; wip = what the order's WIP holds (the WIP column of 3.3 for this order).
    """
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT v.item_ledger_entry_type, v.entry_type, v.variance_type, coalesce(w.subcontracted, false),
                   sum(v.cost_amount_actual), sum(v.cost_amount_expected)
              FROM costing_value_entry v LEFT JOIN production_work_center w ON w.no = v.capacity_no
             WHERE v.order_type = 'production' AND v.order_no = %s
             GROUP BY 1, 2, 3, 4
            """,
            [no],
        )
        rows = cur.fetchall()
        cur.execute(
            "SELECT coalesce(sum(quantity), 0) FROM costing_item_ledger_entry "
            "WHERE order_type = 'production' AND order_no = %s AND entry_type = 'output'",
            [no],
        )
        output_quantity = cur.fetchone()[0]
    t = defaultdict(lambda: ZERO)
    for ile_type, entry_type, variance_type, subcontracted, actual, expected in rows:
        if ile_type == "consumption" and entry_type == "direct_cost":
            t["material"] -= actual
        elif ile_type == "" and entry_type == "direct_cost":
            t["subcontracted" if subcontracted else "capacity"] += actual
        elif ile_type == "" and entry_type == "indirect_cost":
            t["capacity_overhead"] += actual
        elif ile_type == "output" and entry_type == "direct_cost":
            t["output_direct"] += actual + expected
            t["output_expected"] += expected
        elif ile_type == "output" and entry_type == "indirect_cost":
            t["output_indirect"] += actual
        elif ile_type == "output" and entry_type == "variance":
            t[f"variance_{variance_type}"] += actual
        elif ile_type == "output" and entry_type == "revaluation":
            t["output_revaluation"] += actual + expected
            t["output_revaluation_expected"] += expected
    t["output_quantity"] = output_quantity
    t["wip"] = (
        t["material"]
        + t["capacity"]
        + t["subcontracted"]
        + t["capacity_overhead"]
        - t["output_direct"]
        - t["output_revaluation_expected"]
    )
    return dict(t)


def standard_shares(order: ProductionOrder) -> dict[str, Decimal]:
    """Standard cost per unit by share: the order's snapshot once adjusted, else the item's current shares.

    The shares weigh the item's standard cost; without a shares record (or with shares summing to zero) the whole
    standard cost is material. A non-Standard item has no standard shares (all zero).
    """
    if order.standard_material is not None:
        return {name: getattr(order, f"standard_{name}") for name in SHARES}
    item = order.item
    if item.costing_method != CostingMethod.STANDARD:
        return dict.fromkeys(SHARES, ZERO)
    record = StandardCostShares.objects.filter(item_id=item.no).first()
    weights = [getattr(record, name) for name in SHARES] if record else []
    if not weights or sum(weights, ZERO) == 0:
        return {name: item.standard_cost if name == "material" else ZERO for name in SHARES}
    parts = allocate(item.standard_cost, weights, quantum=Decimal("0.00001"))
    return dict(zip(SHARES, parts, strict=True))


# --------------------------------------------------------------------------------- Adjust Cost, order level (4.1)


def item_levels() -> dict[str, int]:
    """Low-level codes from the BOMs: a component is adjusted before the items made of it. Items with no BOM are
    level 0; an item is one level above its highest component. Cycles stop at 20 levels."""
    edges = list(BOMComponent.objects.values_list("item_id", "component_id"))
    levels: dict[str, int] = {}
    for _round in range(20):
        changed = False
        for parent, component in edges:
            wanted = levels.get(component, 0) + 1
            if levels.get(parent, 0) < wanted:
                levels[parent] = wanted
                changed = True
        if not changed:
            break
    return levels


def adjust_by_level(
    todo: list[str],
    adjust_items: Callable[[list[str]], None],
    *,
    only: Sequence[str] | None,
    setup: InventorySetup,
    post_to_gl: bool,
    user,
    report,
) -> None:
    """Adjust Cost hook: items level by level; after each level, the finished orders of the next level's items
    (their components are adjusted now) get their output cost, and those produced items join the next level."""
    levels = item_levels()
    pending, seen = set(todo), set()
    top = max(levels.values(), default=0)
    for level in range(top + 1):
        now = sorted(n for n in pending - seen if levels.get(n, 0) == level)
        if now:
            adjust_items(now)
            seen |= set(now)
        # Orders of the next level's items; after level 0 also orders of items with no BOM (level 0 themselves:
        # they are adjusted once more at the end).
        wanted = {level + 1} | ({0} if level == 0 else set())
        with transaction.atomic():
            produced = adjust_orders(
                levels,
                wanted,
                setup=setup,
                post_to_gl=post_to_gl,
                user=user,
                report=report,
            )
        produced = {n for n in produced if only is None or n in only}
        pending |= produced
        seen -= produced  # adjusted before its order's output changed: once more
    rest = sorted(pending - seen)
    if rest:
        adjust_items(rest)


def adjust_orders(
    levels: dict[str, int], wanted: set[int], *, setup: InventorySetup, post_to_gl: bool, user, report
) -> set[str]:
    """Order-level adjustment of the finished orders whose item is on a ``wanted`` level and that have value entries
    the last adjustment has not seen. Returns the produced items whose output cost changed (now not adjusted)."""
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT o.no FROM production_order o
             WHERE o.status = 'finished'
               AND EXISTS (SELECT 1 FROM costing_value_entry v
                            WHERE v.order_type = 'production' AND v.order_no = o.no
                              AND v.entry_no > o.adjusted_through_value_entry)
             ORDER BY o.no
            """
        )
        numbers = [r[0] for r in cur.fetchall()]
    orders = [
        o
        for o in ProductionOrder.objects.select_related("item").filter(no__in=numbers).order_by("no")
        if levels.get(o.item_id, 0) in wanted
    ]
    if not orders:
        return set()
    block = NumberBlock(["item_register", "value_entry"])
    gate = PostingGate()
    register = None
    created: list[ValueEntry] = []
    changed_items: set[str] = set()
    changed_outputs: list[int] = []
    for order in orders:
        entries = _order_adjustment(order)
        if entries and register is None:
            register = ItemRegister(no=block.next("item_register"), source_code=SOURCE_ADJUST_COST, user=user)
        for output, values in entries:
            for ve in values:
                ve.entry_no = block.next("value_entry")
                ve.register_id = register.no
                ve.posting_date = gate.first_allowed(output.posting_date)
                created.append(ve)
            changed_outputs.append(output.entry_no)
            changed_items.add(order.item_id)
    if register is not None:
        register.from_value_entry_no = created[0].entry_no
        register.to_value_entry_no = created[-1].entry_no
        register.save(force_insert=True)
    block.save()
    ValueEntry.objects.bulk_create(created, batch_size=2000)
    with connection.cursor() as cur:
        if changed_outputs:
            # Output entries become completely invoiced (expected cost turned actual) and forward their new cost.
            cur.execute(
                "UPDATE costing_item_ledger_entry SET invoiced_quantity = quantity, completely_invoiced = true, "
                "applied_entry_to_adjust = true WHERE entry_no = ANY(%s)",
                [changed_outputs],
            )
        if changed_items:
            cur.execute("UPDATE costing_item SET cost_is_adjusted = false WHERE no = ANY(%s)", [sorted(changed_items)])
        last = max((v.entry_no for v in created), default=0)
        cur.execute(
            "SELECT coalesce(max(entry_no), 0) FROM costing_value_entry WHERE order_type = 'production' "
            "AND order_no = ANY(%s)",
            [[o.no for o in orders]],
        )
        last = max(last, cur.fetchone()[0])
    for order in orders:
        shares = standard_shares(order)
        ProductionOrder.objects.filter(no=order.no).update(
            adjusted_through_value_entry=last, **{f"standard_{name}": shares[name] for name in SHARES}
        )
    report.value_entries.extend(created)
    if created:
        if post_to_gl:
            from costing import gl_posting

            posted = gl_posting.post_value_entries(created, method=gl_posting.PER_ENTRY, user=user, setup=setup)
            report.gl_entries.extend(posted.gl_entries)
        else:
            expected_on = setup.expected_cost_posting_to_gl
            PostValueEntryToGL.objects.bulk_create(
                [
                    PostValueEntryToGL(value_entry_id=v.entry_no, item_id=v.item_id, posting_date=v.posting_date)
                    for v in created
                    if v.cost_amount_actual or (expected_on and v.cost_amount_expected)
                ]
            )
    return changed_items


def _order_adjustment(order: ProductionOrder) -> list[tuple[ItemLedgerEntry, list[ValueEntry]]]:
    """The value entries that bring the order's output to its actual cost (and, Standard items, the variances).

    Output direct cost (actual) = material + capacity + subcontracted + capacity overhead, i.e. all the order's WIP;
    the expected cost is reversed. Output indirect cost = that × the item's indirect % / 100 + overhead rate × output
    quantity (manufacturing overhead, to Overhead Applied). Standard items: per share, variance = standard share ×
    output quantity − actual share, so the output is valued at standard cost. Each amount is the target minus what
    is already booked, allocated over the order's outputs by quantity (largest remainder), so rerunning posts nothing.
    """
    outputs = list(
        ItemLedgerEntry.objects.filter(order_type=PRODUCTION, order_no=order.no, entry_type="output").order_by(
            "entry_no"
        )
    )
    if not outputs:
        return []  # finished without output: the WIP stays until output is posted (no "finish without output")
    item = order.item
    totals = order_totals(order.no)
    quantity = sum((o.quantity for o in outputs), ZERO)
    actual = {name: round_amount(totals.get(name, ZERO)) for name in ("material", "capacity", "subcontracted")}
    actual["capacity_overhead"] = round_amount(totals.get("capacity_overhead", ZERO))
    direct_total = sum(actual.values(), ZERO)
    actual["manufacturing_overhead"] = round_amount(
        direct_total * item.indirect_cost_percent / 100 + item.overhead_rate * quantity
    )
    targets: dict[tuple, Decimal] = {("direct", ""): direct_total, ("indirect", ""): actual["manufacturing_overhead"]}
    if item.costing_method == CostingMethod.STANDARD:
        shares = standard_shares(order)
        standard_total = round_amount(sum(shares.values(), ZERO) * quantity)
        weights = [shares[name] for name in SHARES]
        standard = allocate(standard_total, weights) if sum(weights, ZERO) else [ZERO] * len(SHARES)
        for name, std in zip(SHARES, standard, strict=True):
            targets[("variance", VARIANCE_OF_SHARE[name])] = std - actual[name]
    weights = [o.quantity for o in outputs]
    booked = _booked_per_output([o.entry_no for o in outputs])
    result = []
    for index, output in enumerate(outputs):
        values = []
        have = booked.get(output.entry_no, {})
        for (kind, variance_type), total in targets.items():
            part = allocate(total, weights)[index] if total else ZERO
            delta = part - have.get((kind, variance_type), ZERO)
            expected_reversal = -have.get(("expected", ""), ZERO) if kind == "direct" else ZERO
            if delta == 0 and expected_reversal == 0:
                continue
            entry_type = {
                "direct": ValueEntryType.DIRECT_COST,
                "indirect": ValueEntryType.INDIRECT_COST,
                "variance": ValueEntryType.VARIANCE,
            }[kind]
            invoiced = output.quantity - output.invoiced_quantity if kind == "direct" else ZERO
            values.append(
                ValueEntry(
                    item_ledger_entry_id=output.entry_no,
                    item_id=item.no,
                    item_ledger_entry_type=ItemLedgerEntryType.OUTPUT,
                    entry_type=entry_type,
                    variance_type=variance_type,
                    valuation_date=output.posting_date,
                    document_no=output.document_no,
                    description=output.description,
                    adjustment=True,
                    valued_quantity=output.quantity,
                    invoiced_quantity=invoiced,
                    cost_per_unit=abs(round_unit_cost((delta + expected_reversal) / output.quantity)),
                    cost_amount_actual=delta,
                    cost_amount_expected=expected_reversal,
                    location_id=output.location_id,
                    inventory_posting_group_id=item.inventory_posting_group_id,
                    gen_bus_posting_group_id=output.gen_bus_posting_group_id,
                    gen_prod_posting_group_id=item.gen_prod_posting_group_id,
                    source_code=SOURCE_ADJUST_COST,
                    order_type=PRODUCTION,
                    order_no=order.no,
                    order_line_no=1,
                    source_no=item.no,
                )
            )
        if values:
            result.append((output, values))
    return result


def _booked_per_output(entry_nos: list[int]) -> dict[int, dict[tuple, Decimal]]:
    """Per output entry: direct cost actual, expected (direct and revaluation are apart), indirect, each variance."""
    booked: dict[int, dict[tuple, Decimal]] = defaultdict(lambda: defaultdict(lambda: ZERO))
    with connection.cursor() as cur:
        cur.execute(
            """
            SELECT item_ledger_entry_no, entry_type, variance_type, sum(cost_amount_actual), sum(cost_amount_expected)
              FROM costing_value_entry WHERE item_ledger_entry_no = ANY(%s) AND entry_type <> 'revaluation'
             GROUP BY 1, 2, 3
            """,
            [entry_nos],
        )
        for no, entry_type, variance_type, act, exp in cur.fetchall():
            kind = {"direct_cost": "direct", "indirect_cost": "indirect", "variance": "variance"}.get(entry_type)
            if kind is None:
                continue
            booked[no][(kind, variance_type if kind == "variance" else "")] += act
            if kind == "direct":
                booked[no][("expected", "")] += exp
    return booked

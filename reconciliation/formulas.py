"""The Inventory - G/L Reconciliation as data: fields (costing reference 3.3), cell mapping (3.4), G/L sources (3.2).

Every condition of 3.3 depends only on four columns of a value entry: item ledger entry type, entry type, variance type
and order type. A field is a list of terms; a term is a condition on those columns and the coefficients of
Cost Amount (Actual) and Cost Amount (Expected). The matrix, the drill-down and the explanations all read these
tables, so they cannot disagree.

Material Non-Inventory Variance is left out: Costbook has no non-inventory cost in produced items.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Q
from django.utils.translation import gettext_lazy as _

# Item ledger entry types as stored ("" = capacity entry). Assembly types are named as the reference names them; no
# Costbook posting creates them yet, so their terms never match, but the formulas stay those of the reference.
PURCHASE, SALE, POS, NEG, TRANSFER = "purchase", "sale", "positive_adjmt", "negative_adjmt", "transfer"
CONSUMPTION, OUTPUT, BLANK = "consumption", "output", ""
ASM_OUTPUT, ASM_CONSUMPTION = "assembly_output", "assembly_consumption"
DC, REVAL, ROUND, IC, VAR = "direct_cost", "revaluation", "rounding", "indirect_cost", "variance"
PRODUCTION, ASSEMBLY = "production", "assembly"


@dataclass(frozen=True)
class Term:
    kind: str  # drill-down choice this term belongs to (3.4)
    ile: tuple[str, ...] | None = None  # None = any
    et: tuple[str, ...] | None = None
    vt: tuple[str, ...] | None = None
    ot: tuple[str, ...] | None = None
    act: int = 0  # coefficient of Cost Amount (Actual)
    exp: int = 0  # coefficient of Cost Amount (Expected)
    ile_not_blank: bool = False

    def matches(self, ile: str, et: str, vt: str, ot: str) -> bool:
        return (
            (self.ile is None or ile in self.ile)
            and (not self.ile_not_blank or ile != "")
            and (self.et is None or et in self.et)
            and (self.vt is None or vt in self.vt)
            and (self.ot is None or ot in self.ot)
        )

    def sql(self) -> str:
        """The condition as SQL over columns ile, et, vt, ot. Values are the constants above, never user input."""

        def inside(column, values):
            return f"{column} IN ({', '.join(repr(v) for v in values)})"

        parts = ["TRUE"]
        if self.ile is not None:
            parts.append(inside("ile", self.ile))
        if self.ile_not_blank:
            parts.append("ile <> ''")
        if self.et is not None:
            parts.append(inside("et", self.et))
        if self.vt is not None:
            parts.append(inside("vt", self.vt))
        if self.ot is not None:
            parts.append(inside("ot", self.ot))
        return " AND ".join(parts)

    def q(self) -> Q:
        q = Q()
        if self.ile is not None:
            q &= Q(item_ledger_entry_type__in=self.ile)
        if self.ile_not_blank:
            q &= ~Q(item_ledger_entry_type="")
        if self.et is not None:
            q &= Q(entry_type__in=self.et)
        if self.vt is not None:
            q &= Q(variance_type__in=self.vt)
        if self.ot is not None:
            q &= Q(order_type__in=self.ot)
        return q


def _variance(vt: str) -> list[Term]:
    return [Term("all", ile=(OUTPUT, ASM_OUTPUT), et=(VAR,), vt=(vt,), act=-1)]


# Fields of an item line (3.3). Signs are G/L signs: debit positive.
FIELDS: dict[str, list[Term]] = {
    "inventory": [Term("all", ile_not_blank=True, act=1)],
    "inventory_interim": [Term("all", ile=(PURCHASE, SALE, OUTPUT), et=(DC, REVAL), exp=1)],
    "wip_inventory": [
        Term("wip_consumption", ile=(CONSUMPTION,), et=(DC,), ot=(PRODUCTION,), act=-1),
        Term("wip_output", ile=(OUTPUT,), et=(DC,), ot=(PRODUCTION,), act=-1, exp=-1),
        Term("wip_output", ile=(OUTPUT,), et=(REVAL,), ot=(PRODUCTION,), exp=-1),
        Term("wip_capacity", ile=(BLANK,), et=(DC, IC), ot=(PRODUCTION,), act=1),
    ],
    "direct_cost_applied_actual": [
        Term("item_direct_costs", ile=(PURCHASE,), et=(DC,), act=-1),
        Term("assembly_direct_costs", ile=(BLANK,), et=(DC,), ot=(ASSEMBLY,), act=-1),
    ],
    "overhead_applied_actual": [
        Term("item_indirect_costs", ile=(PURCHASE, OUTPUT, ASM_OUTPUT), et=(IC,), act=-1),
        Term("assembly_indirect_costs", ile=(BLANK,), et=(IC,), ot=(ASSEMBLY,), act=-1),
    ],
    "purchase_variance": [Term("all", ile=(PURCHASE,), et=(VAR,), act=-1)],
    "inventory_adjmt": [
        Term("revaluations", et=(REVAL,), act=-1),
        Term("roundings", et=(ROUND,), act=-1),
        Term("item_direct_costs", ile=(POS, NEG, ASM_OUTPUT, ASM_CONSUMPTION, TRANSFER), et=(DC,), act=-1),
        Term("assembly_direct_costs", ile=(BLANK,), et=(DC,), ot=(ASSEMBLY,), act=-1),
    ],
    "invt_accrual_interim": [Term("all", ile=(PURCHASE,), et=(DC, REVAL), exp=-1)],
    "cogs": [Term("all", ile=(SALE,), et=(DC,), act=-1)],
    "cogs_interim": [Term("all", ile=(SALE,), et=(DC, REVAL), exp=-1)],
    "material_variance": _variance("material"),
    "capacity_variance": _variance("capacity"),
    "subcontracted_variance": _variance("subcontracted"),
    "capacity_overhead_variance": _variance("capacity_overhead"),
    "mfg_overhead_variance": _variance("manufacturing_overhead"),
    "direct_cost_applied_wip": [Term("all", ile=(BLANK,), et=(DC,), ot=(PRODUCTION,), act=-1)],
    "overhead_applied_wip": [Term("all", ile=(BLANK,), et=(IC,), ot=(PRODUCTION,), act=-1)],
    "inventory_to_wip": [Term("all", ile=(OUTPUT, CONSUMPTION), et=(DC,), act=1)],
    "wip_to_interim": [Term("all", ile=(OUTPUT,), et=(DC, REVAL), exp=-1)],
    "direct_cost_applied": [Term("all", ile=(PURCHASE, BLANK), et=(DC,), act=-1)],
    "overhead_applied": [Term("all", ile=(PURCHASE, OUTPUT, ASM_OUTPUT, BLANK), et=(IC,), act=-1)],
}

# G/L sources (3.2): field -> (setup, account field). Each setup field's distinct accounts; a G/L account used in two
# fields counts in both.
GL_SOURCES: dict[str, tuple[str, str]] = {
    "cogs": ("gps", "cogs_account"),
    "inventory_adjmt": ("gps", "inventory_adjmt_account"),
    "invt_accrual_interim": ("gps", "invt_accrual_account_interim"),
    "cogs_interim": ("gps", "cogs_account_interim"),
    "direct_cost_applied": ("gps", "direct_cost_applied_account"),
    "overhead_applied": ("gps", "overhead_applied_account"),
    "purchase_variance": ("gps", "purchase_variance_account"),
    "inventory": ("ips", "inventory_account"),
    "inventory_interim": ("ips", "inventory_account_interim"),
    "material_variance": ("ips", "material_variance_account"),
    "capacity_variance": ("ips", "capacity_variance_account"),
    "mfg_overhead_variance": ("ips", "mfg_overhead_variance_account"),
    "capacity_overhead_variance": ("ips", "cap_overhead_variance_account"),
    "subcontracted_variance": ("ips", "subcontracted_variance_account"),
    "wip_inventory": ("ips", "wip_account"),
}

COLUMNS = ["inventory", "inventory_interim", "wip_inventory", "total", "gl_total", "difference"]
COLUMN_NAMES = {
    "inventory": _("Inventory"),
    "inventory_interim": _("Inventory (Interim)"),
    "wip_inventory": _("WIP Inventory"),
    "total": _("Total"),
    "gl_total": _("G/L Total"),
    "difference": _("Difference"),
}
ROWS = [
    "inventory_to_wip",
    "wip_to_interim",
    "cogs_interim",
    "direct_cost_applied",
    "overhead_applied",
    "inventory_adjmt",
    "invt_accrual_interim",
    "cogs",
    "purchase_variance",
    "material_variance",
    "capacity_variance",
    "subcontracted_variance",
    "capacity_overhead_variance",
    "mfg_overhead_variance",
    "total",
    "gl_total",
    "difference",
]
ROW_NAMES = {
    "inventory_to_wip": _("Inventory To WIP"),
    "wip_to_interim": _("WIP To Interim"),
    "cogs_interim": _("COGS (Interim)"),
    "direct_cost_applied": _("Direct Cost Applied"),
    "overhead_applied": _("Overhead Applied"),
    "inventory_adjmt": _("Inventory Adjmt."),
    "invt_accrual_interim": _("Invt. Accrual (Interim)"),
    "cogs": _("COGS"),
    "purchase_variance": _("Purchase Variance"),
    "material_variance": _("Material Variance"),
    "capacity_variance": _("Capacity Variance"),
    "subcontracted_variance": _("Subcontracted Variance"),
    "capacity_overhead_variance": _("Capacity Overhead Variance"),
    "mfg_overhead_variance": _("Mfg. Overhead Variance"),
    "total": _("Total"),
    "gl_total": _("G/L Total"),
    "difference": _("Difference"),
}
ITEM_ROWS = ROWS[:15]  # rows shown with an item or location filter (through Total)
ITEM_COLUMNS = COLUMNS[:4]

# Which line a cell reads (3.4): "item", "gl" or "diff", the field, and the sign applied to it.
SIMPLE_ROWS = [
    "cogs",
    "purchase_variance",
    "material_variance",
    "capacity_variance",
    "subcontracted_variance",
    "capacity_overhead_variance",
    "mfg_overhead_variance",
]


@dataclass(frozen=True)
class Cell:
    line: str  # item | gl | diff
    field: str
    sign: int = 1


def _total_columns(field: str) -> dict[str, Cell]:
    return {"total": Cell("item", field), "gl_total": Cell("gl", field), "difference": Cell("diff", field)}


CELLS: dict[str, dict[str, Cell]] = {
    "inventory_to_wip": {
        "inventory": Cell("item", "inventory_to_wip", -1),
        "wip_inventory": Cell("item", "inventory_to_wip"),
        "gl_total": Cell("gl", "inventory_to_wip"),
    },
    "wip_to_interim": {
        "inventory_interim": Cell("item", "wip_to_interim"),
        "wip_inventory": Cell("item", "wip_to_interim", -1),
        "gl_total": Cell("gl", "wip_to_interim"),
    },
    "cogs_interim": {"inventory_interim": Cell("item", "cogs_interim"), **_total_columns("cogs_interim")},
    "direct_cost_applied": {
        "inventory": Cell("item", "direct_cost_applied_actual"),
        "wip_inventory": Cell("item", "direct_cost_applied_wip"),
        **_total_columns("direct_cost_applied"),
    },
    "overhead_applied": {
        "inventory": Cell("item", "overhead_applied_actual"),
        "wip_inventory": Cell("item", "overhead_applied_wip"),
        **_total_columns("overhead_applied"),
    },
    "inventory_adjmt": {"inventory": Cell("item", "inventory_adjmt"), **_total_columns("inventory_adjmt")},
    "invt_accrual_interim": {
        "inventory_interim": Cell("item", "invt_accrual_interim"),
        **_total_columns("invt_accrual_interim"),
    },
    **{row: {"inventory": Cell("item", row), **_total_columns(row)} for row in SIMPLE_ROWS},
    "total": {col: Cell("item", col) for col in ("inventory", "inventory_interim", "wip_inventory")},
    "gl_total": {col: Cell("gl", col) for col in ("inventory", "inventory_interim", "wip_inventory")},
    "difference": {col: Cell("diff", col) for col in ("inventory", "inventory_interim", "wip_inventory")},
}

# Drill-down choices where a cell mixes kinds (3.4), in the reference's order.
KIND_NAMES = {
    "item_direct_costs": _("Item direct costs"),
    "assembly_direct_costs": _("Assembly direct costs"),
    "revaluations": _("Revaluations"),
    "roundings": _("Roundings"),
    "item_indirect_costs": _("Item indirect costs"),
    "assembly_indirect_costs": _("Assembly indirect costs"),
    "wip_consumption": _("WIP consumption"),
    "wip_capacity": _("WIP capacity"),
    "wip_output": _("WIP output"),
}


def kinds(field: str) -> list[str]:
    """The drill-down choices of a field: its distinct term kinds, or [] for a field of one kind."""
    seen = list(dict.fromkeys(t.kind for t in FIELDS[field]))
    return [] if seen == ["all"] else [k for k in KIND_NAMES if k in seen]


# Fields whose Difference is summed by the Direct Postings check (3.5 step 2, check 6): the Difference figures the
# matrix shows. (The reference also adds the Actual/WIP parts of Direct Cost and Overhead Applied, which have no G/L
# side; with them the sum would be non-zero whenever anything was purchased, so the check would always fire.)
DIRECT_POSTING_FIELDS = [
    "inventory",
    "inventory_interim",
    "wip_inventory",
    "purchase_variance",
    "inventory_adjmt",
    "invt_accrual_interim",
    "cogs",
    "cogs_interim",
    "material_variance",
    "capacity_variance",
    "subcontracted_variance",
    "capacity_overhead_variance",
    "mfg_overhead_variance",
    "direct_cost_applied",
    "overhead_applied",
]
# Fields that the Expected Cost Setup warning may explain (3.5 display, priority 1).
EXPECTED_COST_FIELDS = {"inventory_interim", "invt_accrual_interim", "cogs_interim", "wip_inventory"}

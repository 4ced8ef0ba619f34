"""A small company for tests, with the account numbers of the costing reference's US demo data.

Built through the models directly (setup has no posting semantics); every posting in tests goes through the services.
"""

from datetime import date
from decimal import Decimal

from costing.models import InventoryPostingGroup, InventoryPostingSetup, InventorySetup, Item, Location
from ledger.models import GenBusinessPostingGroup, GeneralPostingSetup, GenProductPostingGroup, GLAccount

ACCOUNTS = {
    "2130": ("Inventory", "balance_sheet"),
    "2131": ("Inventory (Interim)", "balance_sheet"),
    "2140": ("WIP Inventory", "balance_sheet"),
    "5530": ("Invt. Accrual (Interim)", "balance_sheet"),
    "7290": ("COGS", "income_statement"),
    "7291": ("Direct Cost Applied", "income_statement"),
    "7292": ("Overhead Applied", "income_statement"),
    "7293": ("Purchase Variance", "income_statement"),
    "7294": ("COGS (Interim)", "balance_sheet"),
    "7270": ("Inventory Adjmt.", "income_statement"),
    "7890": ("Material Variance", "income_statement"),
    "7891": ("Capacity Variance", "income_statement"),
    "7892": ("Subcontracted Variance", "income_statement"),
    "7893": ("Cap. Overhead Variance", "income_statement"),
    "7894": ("Mfg. Overhead Variance", "income_statement"),
}


def company(
    *,
    automatic_cost_posting=False,
    expected_cost_posting=False,
    locations=("", "EAST", "WEST"),
    average_calc_type="item",
    average_period="day",
):
    for no, (name, kind) in ACCOUNTS.items():
        GLAccount.objects.create(no=no, name=name, income_balance=kind)
    group = InventoryPostingGroup.objects.create(code="RESALE", description="Resale items")
    prod = GenProductPostingGroup.objects.create(code="RETAIL", description="Retail")
    GenBusinessPostingGroup.objects.create(code="DOMESTIC", description="Domestic customers and vendors")
    for code in locations:
        location = Location.objects.create(code=code, name=code.title()) if code else None
        InventoryPostingSetup.objects.create(
            location=location,
            inventory_posting_group=group,
            inventory_account_id="2130",
            inventory_account_interim_id="2131",
            wip_account_id="2140",
            material_variance_account_id="7890",
            capacity_variance_account_id="7891",
            subcontracted_variance_account_id="7892",
            cap_overhead_variance_account_id="7893",
            mfg_overhead_variance_account_id="7894",
        )
    for bus in (None, "DOMESTIC"):
        GeneralPostingSetup.objects.create(
            gen_bus_posting_group_id=bus,
            gen_prod_posting_group=prod,
            cogs_account_id="7290",
            cogs_account_interim_id="7294",
            inventory_adjmt_account_id="7270",
            direct_cost_applied_account_id="7291",
            overhead_applied_account_id="7292",
            purchase_variance_account_id="7293",
            invt_accrual_account_interim_id="5530",
        )
    InventorySetup.objects.update_or_create(
        id=1,
        defaults={
            "automatic_cost_posting": automatic_cost_posting,
            "expected_cost_posting_to_gl": expected_cost_posting,
            "average_cost_calc_type": average_calc_type,
            "average_cost_period": average_period,
        },
    )


def item(no, method="fifo", **fields):
    return Item.objects.create(
        no=no,
        description=f"Item {no}",
        costing_method=method,
        inventory_posting_group_id="RESALE",
        gen_prod_posting_group_id="RETAIL",
        **fields,
    )


def d(text: str) -> date:
    """Dates as the reference writes them: MM-DD-YY."""
    month, day, year = (int(p) for p in text.split("-"))
    return date(2000 + year, month, day)


def D(text: str) -> Decimal:  # noqa: N802 - reads like the Decimal literal it builds
    return Decimal(text)

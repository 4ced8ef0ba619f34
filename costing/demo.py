"""The demo company: a Cronus-like wholesaler of bicycles and bicycle parts, with a few months of transactions.

``build_setup`` creates the chart of accounts, locations, posting groups, both posting setups (every combination,
so Post Inventory Cost to G/L never skips an entry) and the inventory setup; ``load_demo`` adds a dozen items over
the five costing methods and posts about four months of business through the posting services, ending a few days
before today. The value entries are left in the Post Value Entry to G/L queue on purpose: posting them is the first
thing a user of the demo does. ``bench/generate.py`` reuses ``build_setup`` for its own, much larger, company.

Everything goes through the setup services and the posting services, in one transaction, under an advisory lock, so
two concurrent ``load_demo`` runs cannot both load the company and a failure leaves nothing behind.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.db import connection, transaction

from costing import services_setup as costing_setup
from costing.models import (
    CostingMethod,
    InventoryPostingGroup,
    InventoryPostingSetup,
    Item,
    ItemLedgerEntry,
    Location,
)
from costing.posting import (
    JournalLine,
    PostingResult,
    RevaluationLine,
    invoice_item_ledger_entry,
    post_item_charge,
    post_item_journal,
    post_revaluation_journal,
)
from ledger import services as ledger_services
from ledger import services_setup as ledger_setup
from ledger.models import GeneralPostingSetup, GLAccount
from production.demo import load_demo_production

BS = GLAccount.IncomeBalance.BALANCE_SHEET
IS = GLAccount.IncomeBalance.INCOME_STATEMENT
HEADING = GLAccount.AccountType.HEADING
POSTING = GLAccount.AccountType.POSTING

# (no., name, income/balance, account type). Headings group the posting accounts under them, as in Business Central.
CHART_OF_ACCOUNTS = [
    ("10000", "BALANCE SHEET", BS, HEADING),
    ("11000", "Assets", BS, HEADING),
    ("11100", "Inventory", BS, HEADING),
    ("11110", "Inventory, Resale Items", BS, POSTING),
    ("11111", "Inventory, Resale Items (Interim)", BS, POSTING),
    ("11120", "Inventory, Raw Materials", BS, POSTING),
    ("11121", "Inventory, Raw Materials (Interim)", BS, POSTING),
    ("11130", "Inventory, Finished Goods", BS, POSTING),
    ("11131", "Inventory, Finished Goods (Interim)", BS, POSTING),
    ("11140", "WIP Inventory", BS, POSTING),
    ("11200", "Receivables", BS, HEADING),
    ("11210", "Customers, Domestic", BS, POSTING),
    ("11220", "Customers, EU", BS, POSTING),
    ("11230", "Customers, Export", BS, POSTING),
    ("11300", "Liquid Assets", BS, HEADING),
    ("11310", "Bank, Checking", BS, POSTING),
    ("11320", "Petty Cash", BS, POSTING),
    ("20000", "LIABILITIES AND EQUITY", BS, HEADING),
    ("21000", "Equity", BS, HEADING),
    ("21100", "Capital Stock", BS, POSTING),
    ("21200", "Retained Earnings", BS, POSTING),
    ("22000", "Liabilities", BS, HEADING),
    ("22100", "Vendors, Domestic", BS, POSTING),
    ("22200", "Vendors, Foreign", BS, POSTING),
    ("22300", "Invt. Accrual (Interim)", BS, POSTING),
    ("22400", "COGS (Interim), Retail", BS, POSTING),
    ("22410", "COGS (Interim), Raw Materials", BS, POSTING),
    ("22420", "COGS (Interim), Manufactured", BS, POSTING),
    ("40000", "INCOME STATEMENT", IS, HEADING),
    ("41000", "Revenue", IS, HEADING),
    ("41100", "Sales, Retail - Domestic", IS, POSTING),
    ("41200", "Sales, Retail - EU", IS, POSTING),
    ("41300", "Sales, Retail - Export", IS, POSTING),
    ("41400", "Sales, Raw Materials", IS, POSTING),
    ("50000", "Cost of Goods Sold", IS, HEADING),
    ("50100", "COGS, Retail", IS, POSTING),
    ("50110", "COGS, Raw Materials", IS, POSTING),
    ("50120", "COGS, Manufactured", IS, POSTING),
    ("50200", "Direct Cost Applied, Retail", IS, POSTING),
    ("50210", "Direct Cost Applied, Raw Materials", IS, POSTING),
    ("50220", "Direct Cost Applied, Manufactured", IS, POSTING),
    ("50300", "Overhead Applied, Retail", IS, POSTING),
    ("50310", "Overhead Applied, Raw Materials", IS, POSTING),
    ("50320", "Overhead Applied, Manufactured", IS, POSTING),
    ("50400", "Purchase Variance, Retail", IS, POSTING),
    ("50410", "Purchase Variance, Raw Materials", IS, POSTING),
    ("50420", "Purchase Variance, Manufactured", IS, POSTING),
    ("50500", "Inventory Adjustment, Retail", IS, POSTING),
    ("50510", "Inventory Adjustment, Raw Materials", IS, POSTING),
    ("50520", "Inventory Adjustment, Manufactured", IS, POSTING),
    ("50600", "Variances", IS, HEADING),
    ("50610", "Material Variance", IS, POSTING),
    ("50620", "Capacity Variance", IS, POSTING),
    ("50630", "Subcontracted Variance", IS, POSTING),
    ("50640", "Cap. Overhead Variance", IS, POSTING),
    ("50650", "Mfg. Overhead Variance", IS, POSTING),
    ("60000", "Operating Expenses", IS, HEADING),
    ("60100", "Freight Out", IS, POSTING),
    ("60200", "Rent", IS, POSTING),
    ("60300", "Salaries", IS, POSTING),
]

LOCATIONS = [("EAST", "East Warehouse"), ("WEST", "West Warehouse")]

# Inventory posting group: (description, inventory account, inventory (interim) account).
INVENTORY_POSTING_GROUPS = {
    "RESALE": ("Resale items", "11110", "11111"),
    "RAW MAT": ("Raw materials", "11120", "11121"),
    "FINISHED": ("Finished goods", "11130", "11131"),
}
# Shared by every inventory posting setup row: WIP and the production variances.
INVENTORY_SETUP_SHARED = {
    "wip_account": "11140",
    "material_variance_account": "50610",
    "capacity_variance_account": "50620",
    "subcontracted_variance_account": "50630",
    "cap_overhead_variance_account": "50640",
    "mfg_overhead_variance_account": "50650",
}

GEN_BUSINESS_POSTING_GROUPS = {
    "DOMESTIC": "Domestic customers and vendors",
    "EU": "Customers and vendors in the EU",
    "EXPORT": "Customers and vendors outside the EU",
}

# Gen. product posting group: description and its General Posting Setup accounts (the same for every business group).
GEN_PRODUCT_POSTING_GROUPS = {
    "RETAIL": (
        "Retail",
        {
            "cogs_account": "50100",
            "cogs_account_interim": "22400",
            "inventory_adjmt_account": "50500",
            "direct_cost_applied_account": "50200",
            "overhead_applied_account": "50300",
            "purchase_variance_account": "50400",
            "invt_accrual_account_interim": "22300",
        },
    ),
    "RAW MAT": (
        "Raw materials",
        {
            "cogs_account": "50110",
            "cogs_account_interim": "22410",
            "inventory_adjmt_account": "50510",
            "direct_cost_applied_account": "50210",
            "overhead_applied_account": "50310",
            "purchase_variance_account": "50410",
            "invt_accrual_account_interim": "22300",
        },
    ),
    "MANUFACT": (
        "Manufactured items",
        {
            "cogs_account": "50120",
            "cogs_account_interim": "22420",
            "inventory_adjmt_account": "50520",
            "direct_cost_applied_account": "50220",
            "overhead_applied_account": "50320",
            "purchase_variance_account": "50420",
            "invt_accrual_account_interim": "22300",
        },
    ),
}

# Costing reference 6.1: costs wait in the queue for Post Inventory Cost to G/L; receipts and shipments post their
# expected cost to the interim accounts; no automatic cost adjustment; one average per item and day.
INVENTORY_SETUP = {
    "automatic_cost_posting": False,
    "expected_cost_posting_to_gl": True,
    "automatic_cost_adjustment": "never",
    "average_cost_calc_type": "item",
    "average_cost_period": "day",
}


@dataclass(frozen=True)
class DemoItem:
    no: str
    description: str
    costing_method: str
    inventory_posting_group: str
    gen_prod_posting_group: str
    unit_cost: str
    standard_cost: str = "0"
    indirect_cost_percent: str = "0"
    overhead_rate: str = "0"


DEMO_ITEMS = [
    DemoItem("1000", "Bicycle", CostingMethod.STANDARD, "FINISHED", "MANUFACT", "350", "350", "0", "12"),
    DemoItem("1001", "Touring Bicycle", CostingMethod.STANDARD, "FINISHED", "MANUFACT", "420", "420"),
    DemoItem("1100", "Front Wheel", CostingMethod.FIFO, "RAW MAT", "RAW MAT", "50.70"),
    DemoItem("1200", "Back Wheel", CostingMethod.FIFO, "RAW MAT", "RAW MAT", "57.10"),
    DemoItem("1120", "Spokes", CostingMethod.AVERAGE, "RAW MAT", "RAW MAT", "0.80"),
    DemoItem("1150", "Front Hub", CostingMethod.AVERAGE, "RAW MAT", "RAW MAT", "12.30", indirect_cost_percent="5"),
    DemoItem("1300", "Chain Assy", CostingMethod.LIFO, "RAW MAT", "RAW MAT", "14.80"),
    DemoItem("1310", "Chain", CostingMethod.LIFO, "RESALE", "RETAIL", "9.90"),
    DemoItem("1500", "Lamp", CostingMethod.AVERAGE, "RESALE", "RETAIL", "18.50", indirect_cost_percent="3"),
    DemoItem("1600", "Bell", CostingMethod.FIFO, "RESALE", "RETAIL", "4.20", overhead_rate="0.15"),
    DemoItem("1960-S", "Carbon Race Bike (serial no.)", CostingMethod.SPECIFIC, "RESALE", "RETAIL", "1850"),
    DemoItem("1970-S", "City E-Bike (serial no.)", CostingMethod.SPECIFIC, "RESALE", "RETAIL", "1420"),
]

# The demo company is there when this item is; load_demo then does nothing.
MARKER_ITEM = "1000"
_LOCK_KEY = 0x436F7374_64656D6F  # "Cost" "demo": the advisory lock that serialises load_demo runs


class NotEmpty(Exception):
    """The database has books that are not the demo company's; the demo is loaded into an empty company only."""


# ------------------------------------------------------------------------------------------------------------ setup


def setup_exists() -> bool:
    return GLAccount.objects.filter(no=CHART_OF_ACCOUNTS[0][0]).exists()


def build_setup() -> None:
    """Chart of accounts, locations, posting groups, every posting setup combination and the inventory setup."""
    for no, name, income_balance, account_type in CHART_OF_ACCOUNTS:
        ledger_setup.create_gl_account(
            {"no": no, "name": name, "income_balance": income_balance, "account_type": account_type}
        )
    for code, name in LOCATIONS:
        costing_setup.create_location({"code": code, "name": name})
    for code, (description, _inventory, _interim) in INVENTORY_POSTING_GROUPS.items():
        costing_setup.create_inventory_posting_group({"code": code, "description": description})
    for code, description in GEN_BUSINESS_POSTING_GROUPS.items():
        ledger_setup.create_gen_business_posting_group({"code": code, "description": description})
    for code, (description, _accounts) in GEN_PRODUCT_POSTING_GROUPS.items():
        ledger_setup.create_gen_product_posting_group({"code": code, "description": description})
    # The blank location (None) has its own row: entries without a location still find their accounts.
    for location in [None, *(code for code, _name in LOCATIONS)]:
        for group, (_description, inventory, interim) in INVENTORY_POSTING_GROUPS.items():
            costing_setup.create_inventory_posting_setup(
                {
                    "location": location,
                    "inventory_posting_group": group,
                    "inventory_account": inventory,
                    "inventory_account_interim": interim,
                    **INVENTORY_SETUP_SHARED,
                }
            )
    # The blank business group (None) serves adjustments and transfers.
    for business in [None, *GEN_BUSINESS_POSTING_GROUPS]:
        for product, (_description, accounts) in GEN_PRODUCT_POSTING_GROUPS.items():
            ledger_setup.create_general_posting_setup(
                {"gen_bus_posting_group": business, "gen_prod_posting_group": product, **accounts}
            )
    costing_setup.update_inventory_setup(INVENTORY_SETUP)


def check_setup_complete() -> list[str]:
    """Every posting setup combination the demo needs, with every account filled in; the missing ones by name."""
    missing = []
    locations = [None, *Location.objects.values_list("code", flat=True)]
    groups = list(InventoryPostingGroup.objects.values_list("code", flat=True))
    ips = {(s.location_id, s.inventory_posting_group_id): s for s in InventoryPostingSetup.objects.all()}
    for location in locations:
        for group in groups:
            setup = ips.get((location, group))
            if setup is None:
                missing.append(f"inventory posting setup {location or ''}/{group}")
                continue
            missing += [
                f"{name} of {location or ''}/{group}"
                for name in InventoryPostingSetup.ACCOUNT_FIELDS
                if not getattr(setup, f"{name}_id")
            ]
    gps = {(s.gen_bus_posting_group_id, s.gen_prod_posting_group_id): s for s in GeneralPostingSetup.objects.all()}
    for business in [None, *GEN_BUSINESS_POSTING_GROUPS]:
        for product in GEN_PRODUCT_POSTING_GROUPS:
            setup = gps.get((business, product))
            if setup is None:
                missing.append(f"general posting setup {business or ''}/{product}")
                continue
            missing += [
                f"{name} of {business or ''}/{product}"
                for name in GeneralPostingSetup.ACCOUNT_FIELDS
                if not getattr(setup, f"{name}_id")
            ]
    return missing


def create_items(items: list[DemoItem]) -> None:
    for spec in items:
        costing_setup.create_item(
            {
                "no": spec.no,
                "description": spec.description,
                "costing_method": spec.costing_method,
                "inventory_posting_group": spec.inventory_posting_group,
                "gen_prod_posting_group": spec.gen_prod_posting_group,
                "unit_cost": Decimal(spec.unit_cost),
                "standard_cost": Decimal(spec.standard_cost),
                "last_direct_cost": Decimal(spec.unit_cost),
                "indirect_cost_percent": Decimal(spec.indirect_cost_percent),
                "overhead_rate": Decimal(spec.overhead_rate),
            }
        )


# ----------------------------------------------------------------------------------------------------- transactions


def _entry(result: PostingResult, document_no: str, item: str, location: str | None, *, positive: bool) -> int:
    """The entry no. a posting created for a document line (transfers create two: pick by direction)."""
    found = [
        e.entry_no
        for e in result.item_ledger_entries
        if e.document_no == document_no and e.item_id == item and e.location_id == location and e.positive == positive
    ]
    if len(found) != 1:
        raise LookupError(f"expected one entry for {document_no} {item} {location} positive={positive}: {found}")
    return found[0]


class _Journal:
    """Builds journal lines dated relative to the first day of the demo period."""

    def __init__(self, start: date):
        self.start = start

    def day(self, offset: int) -> date:
        return self.start + timedelta(days=offset)

    def line(self, entry_type, offset, document_no, item, quantity, location="", **kw) -> JournalLine:
        for name in ("unit_cost", "invoiced_quantity"):
            if kw.get(name) is not None:
                kw[name] = Decimal(kw[name])
        return JournalLine(
            entry_type=entry_type,
            posting_date=self.day(offset),
            document_no=document_no,
            item=item,
            quantity=Decimal(quantity),
            location=location,
            **kw,
        )

    def purchase(self, offset, doc, item, quantity, location, unit_cost, vendor_group="DOMESTIC", **kw):
        return self.line(
            "purchase", offset, doc, item, quantity, location, unit_cost=unit_cost, gen_bus_posting_group=vendor_group,
            **kw,
        )  # fmt: skip

    def sale(self, offset, doc, item, quantity, location, customer_group="DOMESTIC", **kw):
        return self.line("sale", offset, doc, item, quantity, location, gen_bus_posting_group=customer_group, **kw)


def post_transactions(today: date) -> dict[str, int]:
    """About four months of business ending three days before ``today``; returns the number of each kind of call."""
    j = _Journal(today - timedelta(days=115))
    calls = {"item_journal": 0, "invoice": 0, "item_charge": 0, "revaluation": 0, "gl_journal": 0}

    def journal(lines):
        calls["item_journal"] += 1
        return post_item_journal(lines, work_date=today)

    def invoice(entry_no, offset, document_no, **kw):
        calls["invoice"] += 1
        invoice_item_ledger_entry(entry_no, posting_date=j.day(offset), document_no=document_no, **kw)

    def charge(entry_no, offset, document_no, amount):
        calls["item_charge"] += 1
        post_item_charge(entry_no, posting_date=j.day(offset), document_no=document_no, amount=Decimal(amount))

    # Opening stock: purchase receipts 107001-107010, most received and invoiced together; two only received.
    opening = journal(
        [
            j.purchase(0, "107001", "1100", "120", "EAST", "50.70", external_document_no="VINV-4410"),
            j.purchase(0, "107001", "1200", "100", "EAST", "57.10", external_document_no="VINV-4410"),
            j.purchase(0, "107001", "1600", "500", "EAST", "4.20", external_document_no="VINV-4410"),
            j.purchase(1, "107002", "1100", "60", "WEST", "50.90"),
            j.purchase(1, "107002", "1310", "300", "WEST", "9.90", "EU", external_document_no="EU-88213"),
            j.purchase(2, "107003", "1120", "5000", "EAST", "0.80"),
            j.purchase(2, "107003", "1150", "200", "EAST", "12.30", "EU"),
            j.purchase(2, "107004", "1150", "80", "WEST", "12.45", "EU", invoiced_quantity="0"),
            j.purchase(3, "107005", "1300", "150", "EAST", "14.80"),
            j.purchase(3, "107005", "1500", "120", "EAST", "18.50", "EXPORT", invoiced_quantity="0"),
            j.purchase(4, "107006", "1000", "40", "EAST", "362.00", external_document_no="ASM-2207"),
            j.purchase(4, "107006", "1001", "25", "WEST", "415.00", external_document_no="ASM-2207"),
            j.purchase(4, "107007", "1960-S", "3", "EAST", "1850.00", "EU"),
            j.purchase(4, "107008", "1970-S", "4", "WEST", "1420.00"),
            j.purchase(5, "107009", "1120", "3000", "EAST", "0.82"),
            j.purchase(6, "107010", "1300", "100", "EAST", "15.20"),
            j.purchase(6, "107010", "1960-S", "2", "EAST", "1895.00", "EU"),
        ]
    )
    race_first = _entry(opening, "107007", "1960-S", "EAST", positive=True)
    race_second = _entry(opening, "107010", "1960-S", "EAST", positive=True)
    ebike_first = _entry(opening, "107008", "1970-S", "WEST", positive=True)
    hub_receipt = _entry(opening, "107004", "1150", "WEST", positive=True)
    lamp_receipt = _entry(opening, "107005", "1500", "EAST", positive=True)
    back_wheel_receipt = _entry(opening, "107001", "1200", "EAST", positive=True)
    bicycle_receipt = _entry(opening, "107006", "1000", "EAST", positive=True)

    # Vendor invoices for the two receipts, at a slightly different price than ordered (the lamp one in part),
    # and freight invoiced on two receipts as item charges.
    invoice(hub_receipt, 9, "108001", unit_cost=Decimal("12.60"))
    invoice(lamp_receipt, 10, "108002", quantity=Decimal("80"), unit_cost=Decimal("18.75"))
    charge(bicycle_receipt, 8, "108003", "480.00")
    charge(race_first, 8, "108004", "150.00")

    # First sales: shipments 102001-102006, invoiced at once except two.
    sales = journal(
        [
            j.sale(14, "102001", "1100", "45", "EAST"),
            j.sale(14, "102001", "1600", "180", "EAST"),
            j.sale(15, "102002", "1200", "30", "EAST", "EU"),
            j.sale(16, "102003", "1120", "1800", "EAST", "EXPORT"),
            j.sale(16, "102003", "1150", "60", "EAST"),
            j.sale(18, "102004", "1300", "70", "EAST"),
            j.sale(18, "102004", "1500", "40", "EAST"),
            j.sale(20, "102005", "1310", "120", "WEST", "EU", invoiced_quantity="0"),
            j.sale(21, "102005", "1001", "8", "WEST", "EXPORT", invoiced_quantity="0"),
            j.sale(22, "102006", "1000", "12", "EAST"),
            j.sale(24, "102006", "1960-S", "1", "EAST", "EXPORT", applies_to_entry=race_first),
            j.sale(26, "102007", "1970-S", "1", "WEST", applies_to_entry=ebike_first),
        ]
    )
    front_wheel_sale = _entry(sales, "102001", "1100", "EAST", positive=False)
    chain_shipment = _entry(sales, "102005", "1310", "WEST", positive=False)
    touring_shipment = _entry(sales, "102005", "1001", "WEST", positive=False)

    # Stock moves and corrections: transfers EAST -> WEST, a count difference, damage and scrap, a customer return
    # at the cost of its sale (exact cost reversal) and a return to the vendor of a specific receipt.
    moves = journal(
        [
            j.line("transfer", 35, "TR-1001", "1100", "30", "EAST", new_location="WEST"),
            j.line("transfer", 35, "TR-1001", "1600", "100", "EAST", new_location="WEST"),
            j.line("transfer", 35, "TR-1001", "1000", "10", "EAST", new_location="WEST"),
            j.line("transfer", 36, "TR-1002", "1960-S", "1", "EAST", new_location="WEST", applies_to_entry=race_second),
            j.line("positive_adjmt", 38, "ADJ-1001", "1120", "400", "WEST", unit_cost="0.81",
                   description="Stock count difference"),
            j.line("negative_adjmt", 38, "ADJ-1001", "1600", "6", "EAST", description="Damaged in storage"),
            j.line("negative_adjmt", 39, "ADJ-1002", "1300", "4", "EAST", description="Scrapped"),
            j.sale(40, "104001", "1100", "-3", "EAST", applies_from_entry=front_wheel_sale,
                   description="Customer return, damaged packaging"),
            j.purchase(41, "109001", "1200", "-10", "EAST", None, applies_to_entry=back_wheel_receipt,
                       description="Return to vendor, wrong rim size"),
        ]
    )  # fmt: skip
    race_at_west = _entry(moves, "TR-1002", "1960-S", "WEST", positive=True)

    invoice(chain_shipment, 48, "103001")

    # Second round of purchases: two receipts stay uninvoiced at the end of the period.
    restock = journal(
        [
            j.purchase(55, "107011", "1100", "80", "EAST", "51.40"),
            j.purchase(55, "107011", "1120", "4000", "EAST", "0.79"),
            j.purchase(56, "107012", "1200", "60", "WEST", "57.80"),
            j.purchase(57, "107013", "1300", "120", "EAST", "15.05"),
            j.purchase(57, "107013", "1310", "200", "WEST", "10.10", "EU"),
            j.purchase(58, "107014", "1500", "60", "WEST", "18.90", "EXPORT"),
            j.purchase(60, "107015", "1000", "30", "EAST", "355.00", external_document_no="ASM-2291"),
            j.purchase(61, "107016", "1970-S", "3", "WEST", "1445.00"),
            j.purchase(63, "107017", "1600", "300", "EAST", "4.35", invoiced_quantity="0"),
            j.purchase(64, "107018", "1150", "120", "EAST", "12.40", "EU", invoiced_quantity="0"),
        ]
    )
    ebike_second = _entry(restock, "107016", "1970-S", "WEST", positive=True)
    charge(_entry(restock, "107015", "1000", "EAST", positive=True), 62, "108005", "365.00")

    # Second round of sales; one shipment is invoiced in part.
    second_sales = journal(
        [
            j.sale(70, "102008", "1100", "60", "EAST"),
            j.sale(70, "102008", "1120", "2500", "EAST", "EXPORT"),
            j.sale(72, "102009", "1100", "25", "WEST", "EU"),
            j.sale(72, "102009", "1600", "70", "WEST", "EU"),
            j.sale(75, "102010", "1200", "40", "EAST", invoiced_quantity="20"),
            j.sale(77, "102011", "1150", "90", "EAST", "EU"),
            j.sale(77, "102011", "1150", "50", "WEST"),
            j.sale(80, "102012", "1300", "110", "EAST", "EXPORT"),
            j.sale(82, "102013", "1310", "150", "WEST", "EU"),
            j.sale(84, "102014", "1500", "50", "EAST"),
            j.sale(84, "102014", "1500", "30", "WEST"),
            j.sale(88, "102015", "1000", "25", "EAST"),
            j.sale(88, "102015", "1000", "6", "WEST", "EU"),
            j.sale(90, "102016", "1001", "10", "WEST", "EXPORT"),
            j.sale(92, "102017", "1960-S", "1", "WEST", "EXPORT", applies_to_entry=race_at_west),
            j.sale(95, "102018", "1970-S", "2", "WEST", applies_to_entry=ebike_second),
        ]
    )
    back_wheel_shipment = _entry(second_sales, "102010", "1200", "EAST", positive=False)

    # Back wheel prices fell: revalue what is on hand to 54.00 a unit.
    calls["revaluation"] += 1
    revaluation = RevaluationLine(
        item="1200", posting_date=j.day(103), document_no="REVAL-1001", unit_cost_revalued=Decimal("54")
    )
    post_revaluation_journal([revaluation])

    invoice(touring_shipment, 105, "103002")
    invoice(back_wheel_shipment, 106, "103003")

    journal(
        [
            j.sale(108, "102019", "1600", "120", "EAST"),
            j.sale(109, "102019", "1310", "40", "WEST", "EU", invoiced_quantity="0"),
            j.sale(110, "102020", "1120", "900", "EAST"),
            j.line("negative_adjmt", 112, "ADJ-1003", "1500", "2", "EAST", description="Stock count difference"),
        ]
    )

    calls["production"] = load_demo_production(j.day)  # production/demo.py: a finished and a released order

    # The books outside inventory: the owners' capital paid in, and a payment to a domestic vendor.
    calls["gl_journal"] += 1
    ledger_services.post_gl_journal(
        [
            {"gl_account": "11310", "amount": "250000.00", "posting_date": j.day(0), "document_no": "G00001",
             "description": "Share capital paid in"},
            {"gl_account": "21100", "amount": "-250000.00", "posting_date": j.day(0), "document_no": "G00001",
             "description": "Share capital paid in"},
            {"gl_account": "22100", "amount": "18750.00", "posting_date": j.day(45), "document_no": "G00002",
             "description": "Payment to vendor 10000"},
            {"gl_account": "11310", "amount": "-18750.00", "posting_date": j.day(45), "document_no": "G00002",
             "description": "Payment to vendor 10000"},
        ]
    )  # fmt: skip
    return calls


# ------------------------------------------------------------------------------------------------------------- load


def demo_exists() -> bool:
    return Item.objects.filter(no=MARKER_ITEM).exists()


def load_demo(today: date | None = None) -> dict[str, int] | None:
    """Load the demo company into an empty database; None if it is already there. Raises NotEmpty otherwise."""
    today = today or date.today()
    with transaction.atomic(durable=True):
        with connection.cursor() as cur:
            cur.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        if demo_exists():
            return None
        if Item.objects.exists() or ItemLedgerEntry.objects.exists() or GLAccount.objects.exists():
            raise NotEmpty(
                "The database already has accounts or items that are not the demo company's; "
                "load the demo into an empty database."
            )
        build_setup()
        create_items(DEMO_ITEMS)
        return post_transactions(today)

import pytest
from django.contrib.auth.models import Group, User
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.roles import ensure_roles
from costing.models import InventoryPostingGroup, Item, Location
from ledger.models import GenBusinessPostingGroup, GenProductPostingGroup, GLAccount


@pytest.fixture
def roles(db):
    ensure_roles()


def _client_for(username, role):
    user = User.objects.create_user(username)
    if role:
        user.groups.add(Group.objects.get(name=role))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=user).key}")
    client.user = user
    return client


@pytest.fixture
def client_for(roles):
    return _client_for


@pytest.fixture
def admin_api(client_for):
    return client_for("ada", "admin")


@pytest.fixture
def accountant_api(client_for):
    return client_for("alice", "accountant")


@pytest.fixture
def integration_api(client_for):
    return client_for("ivan", "integration")


@pytest.fixture
def anonymous_api():
    return APIClient()


@pytest.fixture
def chart(db):
    """A small chart of accounts as in the bike example: inventory, interim, COGS, direct cost applied."""
    for no, name, kind in [
        ("2130", "Inventory, Finished Goods", "balance_sheet"),
        ("2131", "Inventory (Interim)", "balance_sheet"),
        ("7290", "Discount Received", "income_statement"),
        ("7291", "Direct Cost Applied", "income_statement"),
        ("7190", "COGS", "income_statement"),
    ]:
        GLAccount.objects.create(no=no, name=name, income_balance=kind)
    GLAccount.objects.create(no="2000", name="ASSETS", income_balance="balance_sheet", account_type="heading")
    GLAccount.objects.create(no="9999", name="Old account", income_balance="income_statement", blocked=True)


@pytest.fixture
def groups(db):
    InventoryPostingGroup.objects.create(code="RESALE", description="Resale items")
    GenProductPostingGroup.objects.create(code="RETAIL", description="Retail")
    GenBusinessPostingGroup.objects.create(code="DOMESTIC", description="Domestic customers")
    Location.objects.create(code="BLUE", name="Blue warehouse")


@pytest.fixture
def item(groups):
    return Item.objects.create(
        no="LINK",
        description="Chain link",
        costing_method="fifo",
        unit_cost="10.00000",
        inventory_posting_group_id="RESALE",
        gen_prod_posting_group_id="RETAIL",
    )

"""Production pages: create an order, post consumption, capacity and output, finish; the breakdown shows it."""

import pytest
from django.contrib.auth.models import Group, User

from costing.posting import JournalLine, post_item_journal
from production.models import BOMComponent, ProductionOrder, WorkCenter
from tests.books import D, company, d, item

pytestmark = pytest.mark.django_db


@pytest.fixture
def accountant_client(client, roles):
    user = User.objects.create_user("anna", password="s3cret-ledger-pass")
    user.groups.add(Group.objects.get(name="accountant"))
    client.force_login(user)
    return client


def test_order_pages(accountant_client):
    client = accountant_client
    company()
    item("LINK", "fifo", unit_cost=D("1"))
    chain = item("CHAIN", "fifo")
    WorkCenter.objects.create(no="WC1", direct_unit_cost=D("2"))
    BOMComponent.objects.create(item=chain, line_no=1, component_id="LINK", quantity_per=D("10"))
    post_item_journal([JournalLine("purchase", d("01-01-20"), "P1", "LINK", D("10"), unit_cost=D("1"))])
    r = client.post("/production-orders/", {"item": "CHAIN", "quantity": "1", "release": "on"})
    order = ProductionOrder.objects.get()
    assert r.status_code == 302 and r.url == f"/production-orders/{order.no}/"
    url = r.url
    for data in (
        {"action": "consumption", "posting_date": "2020-01-05"},
        {"action": "capacity", "posting_date": "2020-01-05", "work_center": "WC1", "run_time": "5"},
        {"action": "output", "posting_date": "2020-01-06", "quantity": "1"},
        {"action": "finish", "posting_date": "2020-01-06"},
    ):
        assert client.post(url, data).status_code == 302, data
    page = client.get(url).content.decode()
    assert 'data-field="status">Finished' in page
    assert "20.00" in page  # output cost: material 10 + capacity 10 (expected until adjusted)
    r = client.post(url, {"action": "capacity", "posting_date": "2020-01-07", "work_center": "WC1", "run_time": "1"})
    assert r.status_code == 200 and "only a released order takes postings" in r.content.decode()
    assert "CHAIN" in client.get("/production-orders/?status=finished").content.decode()

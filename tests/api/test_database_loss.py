"""When the database goes away under the API: a lost connection between requests is replaced before the next one uses
it (``CONN_HEALTH_CHECKS``), and a request whose database work fails (the connection dropped, a deadlock, a timeout:
Django's ``OperationalError``) is a 503 with ``Retry-After``, in the contract's error shape, posting nothing; retried
with the same Idempotency-Key it posts once."""

import pytest
import requests
from django.db import OperationalError, connection

from core.models import IdempotencyKey
from costing import posting
from costing.models import ItemLedgerEntry, ValueEntry
from tests import books
from tests.reliability.conftest import api_client
from tests.reliability.test_t1_storm import live_server_url  # noqa: F401 - fixture

D = books.D
LINE = {"entry_type": "purchase", "item": "A", "quantity": "2", "unit_cost": "10.00", "posting_date": "2026-01-05"}


@pytest.mark.django_db
def test_a_posting_whose_connection_drops_is_a_503_that_posts_nothing_and_a_retry_posts_once(monkeypatch):
    books.company()
    books.item("A")
    client = api_client("ann", "accountant")
    real_copy = posting.copy_insert
    calls = []

    def copy_then_lose_the_connection(model, rows, *args, **kwargs):
        calls.append(model)
        if model is ValueEntry and calls.count(ValueEntry) == 1:
            raise OperationalError("terminating connection due to administrator command")
        return real_copy(model, rows, *args, **kwargs)

    monkeypatch.setattr(posting, "copy_insert", copy_then_lose_the_connection)
    body = {"lines": [{**LINE, "document_no": "R-1"}]}
    key = {"Idempotency-Key": "r-1"}

    lost = client.post("/api/v1/item-journal/post/", body, format="json", headers=key)
    assert lost.status_code == 503
    assert lost["Retry-After"] == "1"
    assert lost.json()["code"] == "database_unavailable"
    assert "Idempotency-Key" in lost.json()["detail"]
    assert not ItemLedgerEntry.objects.exists() and not IdempotencyKey.objects.exists()

    again = client.post("/api/v1/item-journal/post/", body, format="json", headers=key)
    assert again.status_code == 201
    replay = client.post("/api/v1/item-journal/post/", body, format="json", headers=key)
    assert replay.status_code == 201 and replay["Idempotent-Replay"] == "true"
    assert [(e.quantity, e.document_no) for e in ItemLedgerEntry.objects.all()] == [(D("2"), "R-1")]
    assert [v.cost_amount_actual for v in ValueEntry.objects.all()] == [D("20.00")]


def test_the_schema_documents_the_503_on_every_operation(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert operations and all("503" in op["responses"] for op in operations)
    assert "Retry-After" in operations[0]["responses"]["503"]["headers"]


@pytest.mark.django_db(transaction=True)
def test_connections_killed_between_requests_are_replaced_not_answered_with_an_error(live_server_url):  # noqa: F811
    """A database restart or failover drops every idle connection the server keeps (``DB_CONN_MAX_AGE``). Before
    health checks, each gunicorn worker's next request died on its dead connection with a 500."""
    books.company()
    books.item("A")
    token = api_client("kim", "accountant")._credentials["HTTP_AUTHORIZATION"]
    session = requests.Session()
    session.headers["Authorization"] = token
    for _ in range(6):  # every worker has opened and kept its connection
        assert session.get(f"{live_server_url}/api/v1/items/", timeout=30).status_code == 200
    with connection.cursor() as cur:
        cur.execute(
            "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND backend_type = 'client backend'"
        )
        assert cur.fetchone()[0] >= 1
    statuses = [session.get(f"{live_server_url}/api/v1/items/", timeout=30).status_code for _ in range(6)]
    posted = session.post(
        f"{live_server_url}/api/v1/item-journal/post/",
        json={"lines": [{**LINE, "document_no": "R-2"}]},
        headers={"Idempotency-Key": "r-2"},
        timeout=30,
    )
    assert statuses == [200] * 6
    assert posted.status_code == 201, posted.text
    assert ItemLedgerEntry.objects.count() == 1

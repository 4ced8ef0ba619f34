"""The OpenAPI schema says what the API answers, and the API answers what the schema says (core/schema.py,
core/filters.py; Schemathesis checks the same against a live server in tests/reliability/test_t4_schemathesis.py)."""

import pytest
from drf_spectacular.generators import SchemaGenerator

from production.serializers import ConsumptionSerializer

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    return SchemaGenerator().get_schema(request=None, public=True)


def operations(schema):
    for path, ops in schema["paths"].items():
        for method, op in ops.items():
            yield path, method, op


def test_every_operation_documents_its_errors_with_the_error_body(schema):
    error = {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}}
    assert schema["components"]["schemas"]["Error"]["required"] == ["detail"]
    for path, method, op in operations(schema):
        responses = op["responses"]
        assert {"401", "403"} <= set(responses), (method, path)
        if "{" in path or any(p["name"] == "page" for p in op.get("parameters", [])):
            assert "404" in responses, (method, path)
        if "requestBody" in op:
            assert {"400", "415"} <= set(responses), (method, path)
            assert list(op["requestBody"]["content"]) == ["application/json"], (method, path)
        if method in ("post", "put", "patch", "delete"):
            assert "409" in responses, (method, path)
        if any(p["in"] == "query" for p in op.get("parameters", [])):
            assert "content" not in responses["414"], (method, path)  # the web server's answer, not ours
        for status in ("400", "401", "403", "404", "409", "415"):
            if status in responses:
                assert responses[status]["content"] == error, (method, path, status)


def test_query_parameters_come_typed_from_the_forms(schema):
    matrix = {p["name"]: p for p in schema["paths"]["/api/v1/reconciliation/matrix/"]["get"]["parameters"]}
    assert matrix["date_from"]["schema"] == {"type": "string", "format": "date"}
    assert matrix["date_from"]["allowEmptyValue"] is True
    assert matrix["show_warnings"]["schema"] == {"type": "boolean"}
    assert matrix["item"]["schema"] == {"type": "string", "maxLength": 20}
    drill = {p["name"]: p for p in schema["paths"]["/api/v1/reconciliation/drilldown/"]["get"]["parameters"]}
    assert drill["row"]["required"] is True and "inventory_to_wip" in drill["row"]["schema"]["enum"]
    assert "allowEmptyValue" not in drill["row"]
    as_of = {p["name"]: p for p in schema["paths"]["/api/v1/reports/inventory-as-of/"]["get"]["parameters"]}
    assert as_of["basis"]["schema"]["enum"] == ["valuation_date", "posting_date"]
    assert as_of["date_to"]["schema"]["format"] == "date"  # the alias of as_of
    assert "date_from" not in as_of
    report = schema["paths"]["/api/v1/reports/inventory-valuation/"]["get"]["responses"]["200"]["content"]
    assert set(report) == {
        "application/json",
        "text/csv",
        "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        "application/pdf",
    }
    lines = schema["components"]["schemas"]["ItemJournalPostRequest"]["properties"]["lines"]
    assert (lines["minItems"], lines["maxItems"]) == (1, 10000)  # "This list may not be empty."
    items = {p["name"]: p for p in schema["paths"]["/api/v1/items/"]["get"]["parameters"]}
    assert items["page_size"]["schema"]["minimum"] == 1 and items["page_size"]["schema"]["maximum"] == 1000


def test_unknown_api_paths_answer_json_404(accountant_api):
    for path in ("/api/v1/no-such-thing/", "/api/v1/general-posting-setups/null,null/"):
        response = accountant_api.get(path)
        assert response.status_code == 404
        assert response["Content-Type"] == "application/json"
        assert response.json() == {"detail": "Not found.", "code": "not_found"}


def test_a_body_that_is_not_json_is_a_415(accountant_api):
    response = accountant_api.post(
        "/api/v1/item-journal/post/", "lines=1", content_type="application/x-www-form-urlencoded"
    )
    assert response.status_code == 415
    assert "detail" in response.json()


@pytest.mark.parametrize(
    ("url", "field"),
    [
        ("/api/v1/reconciliation/matrix/?show_warnings=null", "show_warnings"),
        ("/api/v1/reports/inventory-valuation/?include_expected_cost=maybe", "include_expected_cost"),
        ("/api/v1/item-ledger-entries/?open=maybe", "open"),
        ("/api/v1/items/?page_size=0", "page_size"),
        ("/api/v1/items/?page_size=1.5", "page_size"),
        ("/api/v1/item-ledger-entries/?entry_no_min=-9223372036854775809", "entry_no"),
        ("/api/v1/reports/inventory-valuation/?format=AAA", "format"),
        ("/api/v1/reports/inventory-valuation/?item=%11ABCDEFGHIJKLMNOPQRS%C2%85", "item"),  # 21 sent, 20 stripped
    ],
)
def test_values_the_schema_forbids_are_a_400_naming_the_parameter(accountant_api, url, field):
    response = accountant_api.get(url)
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


@pytest.mark.parametrize(
    "url",
    [
        "/api/v1/reconciliation/matrix/?show_warnings=false&date_from=&date_to=",
        "/api/v1/reconciliation/matrix/?show_warnings=on",
        "/api/v1/reports/inventory-valuation/?include_expected_cost=true&as_of=",
        "/api/v1/item-ledger-entries/?open=false&entry_type=&page=",
        "/api/v1/value-entries/?entry_type=&entry_type=direct_cost",
        "/api/v1/production-orders/?item=NO-SUCH-ITEM",
        "/api/v1/reports/post-inventory-cost-to-gl-test/?item=",
    ],
)
def test_values_the_schema_allows_are_taken(accountant_api, url):
    assert accountant_api.get(url).status_code == 200


def test_a_drilldown_into_a_figure_the_matrix_does_not_show_is_a_404(accountant_api):
    response = accountant_api.get(
        "/api/v1/reconciliation/drilldown/",
        {"row": "inventory_to_wip", "column": "inventory_interim"},
    )
    assert response.status_code == 404
    assert response.json()["detail"] == "This cell is always empty."


def test_a_null_component_is_refused_not_a_server_error():
    serializer = ConsumptionSerializer(data={"posting_date": "2026-01-31", "document_no": "C1", "components": [None]})
    assert not serializer.is_valid()
    assert "components" in serializer.errors


@pytest.fixture
def controller_api(client_for):
    return client_for("carl", "controller")


@pytest.mark.parametrize(
    ("url", "body", "field"),
    [
        ("/api/v1/inventory-periods/", {"ending_date": "2026-01-31", "name": 0}, "name"),
        ("/api/v1/jobs/adjust-cost/", {"post_to_gl": "yes"}, "post_to_gl"),
        ("/api/v1/jobs/post-inventory-cost-to-gl/", {"items": [1100]}, "items"),
    ],
)
def test_a_body_value_of_another_json_type_is_a_400(controller_api, url, body, field):
    response = controller_api.post(url, body, format="json")
    assert response.status_code == 400, response.content
    assert any(key.startswith(field) for key in response.json()["errors"])


def test_query_serializers_still_read_text(accountant_api):
    # The same DRF fields read query strings (all text): there the coercion stays.
    response = accountant_api.get("/api/v1/reports/post-inventory-cost-to-gl-test/", {"item": "1100"})
    assert response.status_code == 200


def test_an_empty_decimal_string_is_not_null():
    from costing.serializers import InvoiceSerializer

    data = {"posting_date": "2026-01-31", "document_no": "I1", "quantity": ""}
    serializer = InvoiceSerializer(data=data)
    assert not serializer.is_valid()
    assert "quantity" in serializer.errors
    data["quantity"] = None
    assert InvoiceSerializer(data=data).is_valid()


def test_patch_without_a_name_leaves_the_period_as_it_is(controller_api):
    created = controller_api.post("/api/v1/inventory-periods/", {"ending_date": "2026-01-31", "name": "Jan"})
    assert created.status_code == 201, created.content
    response = controller_api.patch("/api/v1/inventory-periods/2026-01-31/", {}, format="json")
    assert response.status_code == 200
    assert response.json()["name"] == "Jan"


def test_a_report_alias_is_checked_as_a_date(accountant_api):
    response = accountant_api.get("/api/v1/reports/inventory-valuation/", {"date_to": "2026-01-31", "as_of": "null"})
    assert response.status_code == 400
    assert "as_of" in response.json()["errors"]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("inbound_item_entry_no=false&inbound_item_entry_no=0", "inbound_item_entry_no"),
        ("inbound_item_entry_no=0.0", "inbound_item_entry_no"),
        ("page=1&page=2", "page"),
    ],
)
def test_a_single_value_given_twice_or_as_a_decimal_is_a_400(accountant_api, query, field):
    response = accountant_api.get(f"/api/v1/item-application-entries/?{query}")
    assert response.status_code == 400, response.content
    assert field in response.json()["errors"]


def test_a_repeated_choice_filter_takes_every_value(accountant_api):
    response = accountant_api.get("/api/v1/item-ledger-entries/?entry_type=purchase&entry_type=sale")
    assert response.status_code == 200


@pytest.mark.parametrize("key", ["inventory-as-of", "inventory-valuation-wip", "cost-shares-breakdown"])
def test_a_control_character_in_a_filter_does_not_break_the_xlsx_download(accountant_api, key):
    response = accountant_api.get(f"/api/v1/reports/{key}/", {"format": "xlsx", "item": "j\x11W", "location": "\x15"})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

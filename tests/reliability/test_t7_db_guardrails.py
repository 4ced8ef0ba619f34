"""T7 Database guardrails: as a non-owner application role, every way around the books' triggers is refused."""

from datetime import date

import pytest

from core.invariants import i7_changed_rows
from costing.adjustment import adjust_cost
from costing.gl_posting import run_post_inventory_cost_to_gl
from periods import services as periods
from tests.jobs import support
from tests.reliability.conftest import APP_ROLE, as_app_role, assert_clean, grant_app_role

pytestmark = pytest.mark.django_db(transaction=True)

ATTEMPTS = {
    "update_gl_entry": ("UPDATE ledger_gl_entry SET amount = amount + 1", "23514"),
    "delete_gl_entry": ("DELETE FROM ledger_gl_entry", "23514"),
    "update_gl_transaction": ("UPDATE ledger_gl_transaction SET created_at = now()", "23514"),
    "update_relation_amount": ("UPDATE costing_gl_item_ledger_relation SET amount = 0", "23514"),
    "delete_relation": ("DELETE FROM costing_gl_item_ledger_relation", "23514"),
    "update_value_entry_cost": ("UPDATE costing_value_entry SET cost_amount_actual = cost_amount_actual + 1", "23514"),
    "delete_value_entry": ("DELETE FROM costing_value_entry", "23514"),
    "delete_posted_amounts": ("DELETE FROM costing_value_entry_gl_posting", "23514"),
    "rekey_posted_amounts": ("UPDATE costing_value_entry_gl_posting SET value_entry_no = -value_entry_no", "23514"),
    "update_item_ledger_quantity": ("UPDATE costing_item_ledger_entry SET quantity = quantity * 2", "23514"),
    "delete_item_ledger_entry": ("DELETE FROM costing_item_ledger_entry", "23514"),
    "update_close_snapshot": ("UPDATE periods_close_snapshot SET gl_balance = gl_balance + 1", "23514"),
    "delete_close_snapshot": ("DELETE FROM periods_close_snapshot", "23514"),
    "truncate_gl_entry": ("TRUNCATE ledger_gl_entry CASCADE", "42501"),
    "truncate_value_entry": ("TRUNCATE costing_value_entry CASCADE", "42501"),
    "truncate_posted_amounts": ("TRUNCATE costing_value_entry_gl_posting", "42501"),
    "drop_trigger": ("DROP TRIGGER gl_entry_append_only ON ledger_gl_entry", "42501"),
    "disable_trigger": ("ALTER TABLE ledger_gl_entry DISABLE TRIGGER ALL", "42501"),
    "disable_period_gate": ("ALTER TABLE costing_value_entry DISABLE TRIGGER ve_closed_period_gate", "42501"),
    "replace_guard_function": (
        "CREATE OR REPLACE FUNCTION costbook_refuse_change() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; "
        "END $$",
        "42501",
    ),
    "unbalanced_gl_insert": (
        """
        INSERT INTO ledger_gl_register (no, from_entry_no, to_entry_no, source_code, created_at)
             VALUES (9999, 99999, 99999, 'X', now());
        INSERT INTO ledger_gl_transaction (no, register_no, created_at) VALUES (9999, 9999, now());
        INSERT INTO ledger_gl_entry (entry_no, transaction_no, register_no, gl_account_id, posting_date, document_no,
               external_document_no, description, amount, source_code, system_created, created_at)
             VALUES (99999, 9999, 9999, '2130', '2026-03-01', 'X', '', '', 5, 'X', false, now());
        SET CONSTRAINTS ALL IMMEDIATE
        """,
        "23514",
    ),
}


def _books():
    support.company_with_items(6)
    adjust_cost()
    run_post_inventory_cost_to_gl()
    # A closed period, so the close snapshot (I6b) has rows to attack.
    periods.create_period(ending_date=date(2026, 1, 31))
    periods.close_period(date(2026, 1, 31))


def test_t7_app_role_cannot_change_or_bypass_the_books(record):
    _books()
    grant_app_role(grant="SELECT, INSERT, UPDATE, DELETE")
    outcome = {name: as_app_role(sql) for name, (sql, _expected) in ATTEMPTS.items()}
    expected = {name: code for name, (_sql, code) in ATTEMPTS.items()}
    changed, per_table = i7_changed_rows()
    record.settings = {"app_role": APP_ROLE, "grants": "SELECT, INSERT, UPDATE, DELETE", "maintenance": "off"}
    record.figures = {
        "attempts": len(outcome),
        "rejected": sum(1 for s in outcome.values() if s != "ok"),
        "sqlstate": outcome,
        "mismatches": sum(1 for n in outcome if outcome[n] != expected[n]),
        "i7_changed_rows": changed,
    }
    assert outcome == expected
    assert_clean(record.check(drained=True))


def test_t7_maintenance_escape_hatch_is_closed_to_the_app_role(record):
    """Regression (found by T7): setting costbook.maintenance = 'on' must not let a non-superuser role TRUNCATE."""
    _books()
    grant_app_role(grant="ALL PRIVILEGES")
    state = as_app_role("TRUNCATE ledger_gl_entry, costing_gl_item_ledger_relation CASCADE", maintenance="on")
    record.figures = {"truncate_with_maintenance_setting_as_app_role": state}
    assert state != "ok"

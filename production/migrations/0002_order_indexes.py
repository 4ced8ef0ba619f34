"""Indexes on the inventory ledgers for production's queries (the ledgers' models belong to costing; these partial
indexes cover only production rows, so they cost nothing for the other entries)."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("production", "0001_initial")]

    operations = [
        migrations.RunSQL(
            # order_totals() and Adjust Cost's "finished orders with value entries not yet seen".
            "CREATE INDEX production_ve_order ON costing_value_entry (order_no, entry_no) "
            "WHERE order_type = 'production'",
            "DROP INDEX production_ve_order",
        ),
        migrations.RunSQL(
            # The output entries of an order (order-level adjustment) and an order's entries page.
            "CREATE INDEX production_ile_order ON costing_item_ledger_entry (order_no, entry_no) "
            "WHERE order_type = 'production'",
            "DROP INDEX production_ile_order",
        ),
    ]

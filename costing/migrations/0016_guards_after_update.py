from django.db import migrations

from core.sqlfile import run_sql_file


class Migration(migrations.Migration):
    """The value entry, item ledger entry and item rename guards as AFTER UPDATE triggers: a BEFORE UPDATE row
    trigger locks every row the update touches (sql/guards_after_update.sql)."""

    dependencies = [
        ("costing", "0015_adjust_cost_indexes"),
    ]

    operations = [
        run_sql_file(__file__, "guards_after_update"),
    ]

from django.db import migrations

from core.sqlfile import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("costing", "0011_ledger_refs_checked_per_statement")]
    operations = [run_sql_file(__file__, "avg_totals_average_items")]

from django.db import migrations

from core.sqlfile import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("costing", "0007_ledger_redundant_fks")]
    operations = [run_sql_file(__file__, "avg_cost_totals_inventory_only")]

from django.db import migrations

from core.sqlfile import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("ledger", "0003_maintenance_superuser_only")]
    operations = [run_sql_file(__file__, "balance_check_once")]

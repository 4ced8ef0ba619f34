from django.db import migrations

from core.sqlfile import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("reconciliation", "0001_initial"), ("costing", "0002_guards"), ("ledger", "0002_guards")]
    operations = [run_sql_file(__file__, "summaries")]

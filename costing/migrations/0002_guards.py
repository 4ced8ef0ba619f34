from django.db import migrations

from core.sqlfile import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("costing", "0001_initial"), ("ledger", "0002_guards")]
    operations = [run_sql_file(__file__, "costing_guards")]

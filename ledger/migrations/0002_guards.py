from django.db import migrations

from core.sqlfile import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("ledger", "0001_initial")]
    operations = [run_sql_file(__file__, "ledger_guards")]

from django.db import migrations

from core.sqlfile import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("ledger", "0004_gl_entry_fewer_indexes_and_fks")]
    operations = [run_sql_file(__file__, "balance_check_once")]

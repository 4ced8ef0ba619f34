from django.db import migrations

from core.sqlfile import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("ledger", "0002_guards")]
    operations = [run_sql_file(__file__, "maintenance_superuser_only")]

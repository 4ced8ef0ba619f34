from django.db import migrations

from core.sqlfile import run_sql_file


class Migration(migrations.Migration):
    dependencies = [("reconciliation", "0002_summary_triggers")]
    operations = [run_sql_file(__file__, "unposted_flags")]

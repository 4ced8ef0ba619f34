from django.db import migrations

from core.sqlfile import run_sql_file


class Migration(migrations.Migration):
    dependencies = [
        ("costing", "0009_glrel_refs_checked_per_statement"),
        ("reconciliation", "0003_unposted_flag_indexes"),
    ]
    operations = [run_sql_file(__file__, "ve_hot_posting")]

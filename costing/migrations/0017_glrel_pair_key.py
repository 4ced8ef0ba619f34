from django.db import migrations, models

from core.sqlfile import run_sql_file


class Migration(migrations.Migration):
    """The G/L - item ledger relation keyed by (value entry, G/L entry) instead of a surrogate id: one b-tree fewer
    on the table a Post Inventory Cost to G/L run writes most rows to (sql/glrel_pair_key.sql). Django cannot alter a
    primary key into a composite one, so the SQL does it and the state follows."""

    dependencies = [
        ("costing", "0016_guards_after_update"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            database_operations=[run_sql_file(__file__, "glrel_pair_key")],
            state_operations=[
                migrations.RemoveIndex(model_name="glitemledgerrelation", name="glrel_value_entry"),
                migrations.RemoveField(model_name="glitemledgerrelation", name="id"),
                migrations.AddField(
                    model_name="glitemledgerrelation",
                    name="pk",
                    field=models.CompositePrimaryKey(
                        "value_entry", "gl_entry", blank=True, editable=False, primary_key=True, serialize=False
                    ),
                ),
            ],
        ),
    ]

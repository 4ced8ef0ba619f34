import django.db.models.deletion
from django.db import migrations, models

from core.sqlfile import run_sql_file


class Migration(migrations.Migration):
    """What is posted to the G/L of a value entry moves out of the value entry into ``ValueEntryGLPosting``.

    Marking a million value entries posted rewrote a million wide rows (a quarter of a Post Inventory Cost to G/L
    run); it now inserts a million narrow ones, and value entries never change after their posting
    (sql/ve_gl_posting.sql). The amounts already posted are carried over; the reverse carries them back."""

    dependencies = [
        ("costing", "0018_ile_fillfactor"),
    ]

    operations = [
        migrations.CreateModel(
            name="ValueEntryGLPosting",
            fields=[
                (
                    "value_entry",
                    models.OneToOneField(
                        db_column="value_entry_no",
                        db_constraint=False,
                        on_delete=django.db.models.deletion.PROTECT,
                        primary_key=True,
                        related_name="gl_posting",
                        serialize=False,
                        to="costing.valueentry",
                    ),
                ),
                (
                    "cost_posted_to_gl",
                    models.DecimalField(decimal_places=2, default=0, max_digits=20, verbose_name="cost posted to G/L"),
                ),
                (
                    "expected_cost_posted_to_gl",
                    models.DecimalField(
                        decimal_places=2, default=0, max_digits=20, verbose_name="expected cost posted to G/L"
                    ),
                ),
            ],
            options={
                "verbose_name": "value entry posted to G/L",
                "verbose_name_plural": "value entries posted to G/L",
                "db_table": "costing_value_entry_gl_posting",
            },
        ),
        migrations.RunSQL(
            "INSERT INTO costing_value_entry_gl_posting (value_entry_no, cost_posted_to_gl, expected_cost_posted_to_gl)"
            " SELECT entry_no, cost_posted_to_gl, expected_cost_posted_to_gl FROM costing_value_entry"
            " WHERE cost_posted_to_gl <> 0 OR expected_cost_posted_to_gl <> 0",
            # Back: the columns are there again (the RemoveFields below are undone first), the old guard lets
            # exactly these two change.
            "UPDATE costing_value_entry v SET cost_posted_to_gl = p.cost_posted_to_gl,"
            " expected_cost_posted_to_gl = p.expected_cost_posted_to_gl"
            " FROM costing_value_entry_gl_posting p WHERE p.value_entry_no = v.entry_no",
        ),
        migrations.RemoveField(model_name="valueentry", name="cost_posted_to_gl"),
        migrations.RemoveField(model_name="valueentry", name="expected_cost_posted_to_gl"),
        run_sql_file(__file__, "ve_gl_posting"),
    ]

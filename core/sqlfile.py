"""Run a ``.sql`` file that sits beside a migration, with its reverse (the django-hordak habit)."""

from pathlib import Path

from django.db import migrations


def run_sql_file(migration_file: str, name: str) -> migrations.RunSQL:
    folder = Path(migration_file).resolve().parent / "sql"
    forward = (folder / f"{name}.sql").read_text()
    reverse = (folder / f"{name}_reverse.sql").read_text()
    return migrations.RunSQL(forward, reverse)

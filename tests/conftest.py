import pytest
from django.db import connection


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Let the test database's sessions empty ledger tables between transactional tests.

    The TRUNCATE guards yield only to a maintenance session (ledger_guards.sql); the application never sets it. Tests
    that prove TRUNCATE is refused switch it off for their own session.
    """
    with django_db_blocker.unblock():
        with connection.cursor() as cur:
            cur.execute(f"ALTER DATABASE \"{connection.settings_dict['NAME']}\" SET costbook.maintenance = 'on'")
        connection.close()

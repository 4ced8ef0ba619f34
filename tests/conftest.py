from pathlib import Path

import pytest
from django.db import connection


def pytest_configure(config):
    """Make STATIC_ROOT exist: WhiteNoise warns at every handler start when it is missing (tests never collectstatic;
    the live server and DEBUG serve static files through the finders)."""
    from django.conf import settings

    Path(settings.STATIC_ROOT).mkdir(parents=True, exist_ok=True)


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


@pytest.fixture(autouse=True)
def _celery_eager_unless_marked(request):
    """Run Celery tasks in-process in every test not marked ``celery``, whatever REDIS_URL says.

    CI exports REDIS_URL (so the ``celery`` tests find Redis), which turns eager mode off in the settings; without this,
    a test that starts a job would only queue it and see 202 instead of the finished run.
    """
    if request.node.get_closest_marker("celery"):
        yield
        return
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        from jobs import services

        services.wait_for_background(60)
        app.conf.task_always_eager = before

import pytest

from jobs import services


@pytest.fixture(autouse=True)
def _jobs_in_process(request):
    """Every test but the Celery ones runs jobs in-process (eager), whatever REDIS_URL says: no broker needed."""
    if request.node.get_closest_marker("celery"):
        yield
        return
    from config.celery import app

    before = app.conf.task_always_eager
    app.conf.task_always_eager = True
    try:
        yield
    finally:
        services.wait_for_background(60)
        app.conf.task_always_eager = before


@pytest.fixture
def controller(db):
    from django.contrib.auth.models import Group, User

    from core.roles import ensure_roles

    ensure_roles()
    user = User.objects.create_user("carl", password="s3cret-ledger-pass", first_name="Carl", last_name="Cost")
    user.groups.add(Group.objects.get(name="controller"))
    return user


# The API clients per role, as the API tests make them.
from tests.api.conftest import accountant_api, anonymous_api, client_for, roles  # noqa: E402, F401

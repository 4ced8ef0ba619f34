import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command


@pytest.mark.django_db
def test_demo_user_is_created_in_the_role_groups_without_superuser(capsys):
    call_command("create_demo_user")

    user = get_user_model().objects.get(username="demo")
    assert user.check_password("demo")
    assert not user.is_superuser
    assert not user.is_staff
    assert user.is_active
    assert sorted(user.groups.values_list("name", flat=True)) == ["accountant", "admin", "controller"]
    for perm in ("view_books", "post_entries", "run_jobs", "close_periods", "manage_setup"):
        assert user.has_perm(f"core.{perm}")
    out = capsys.readouterr().out
    assert "username 'demo' and password 'demo'" in out


@pytest.mark.django_db
def test_demo_user_command_is_idempotent_and_resets_the_password():
    call_command("create_demo_user")
    user = get_user_model().objects.get(username="demo")
    user.set_password("changed")
    user.groups.clear()
    user.save()

    call_command("create_demo_user")

    assert get_user_model().objects.filter(username="demo").count() == 1
    user.refresh_from_db()
    assert user.check_password("demo")
    assert user.groups.count() == 3

"""Create (or reset) the demo login for `make run`: user ``demo`` / password ``demo``.

The demo user is not a superuser; it belongs to the accountant, controller and admin role groups, so every page and
API endpoint works under the same permission checks a real user meets. Running it again resets the password and the
group memberships and changes nothing else.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand
from django.db import transaction

from core.roles import ensure_roles

DEMO_USERNAME = "demo"
DEMO_PASSWORD = "demo"  # noqa: S105 - published in the README on purpose; for local demos only
DEMO_GROUPS = ("accountant", "controller", "admin")


class Command(BaseCommand):
    help = "Create or reset the demo user (demo/demo) in the accountant, controller and admin groups."

    @transaction.atomic
    def handle(self, *args, **options):
        ensure_roles()
        User = get_user_model()
        user, created = User.objects.get_or_create(username=DEMO_USERNAME)
        # The demo password is deliberately weak, so it is set directly rather than through the validators.
        user.set_password(DEMO_PASSWORD)
        user.is_active = True
        # Not staff: Django's admin is for superusers (createsuperuser); the role groups grant nothing there.
        user.is_superuser = False
        user.is_staff = False
        user.first_name = user.first_name or "Demo"
        user.last_name = user.last_name or "User"
        user.save()
        user.groups.set(Group.objects.filter(name__in=DEMO_GROUPS))
        verb = "Created" if created else "Reset"
        self.stdout.write(
            self.style.SUCCESS(
                f"{verb} the demo user. Log in at http://127.0.0.1:8000/accounts/login/ "
                f"with username '{DEMO_USERNAME}' and password '{DEMO_PASSWORD}' "
                f"(groups: {', '.join(DEMO_GROUPS)})."
            )
        )

"""``manage.py create_api_token USERNAME``: print the API token of an existing user, creating it on first use."""

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _
from rest_framework.authtoken.models import Token


class Command(BaseCommand):
    help = "Print the REST API token (Authorization: Token <key>) of an existing user; create it if missing."

    def add_arguments(self, parser):
        parser.add_argument("username")
        parser.add_argument("--regenerate", action="store_true", help="Replace the user's token with a new one.")

    def handle(self, *args, username, regenerate=False, **options):
        user_model = get_user_model()
        try:
            user = user_model.objects.get(**{user_model.USERNAME_FIELD: username})
        except user_model.DoesNotExist as exc:
            raise CommandError(_("There is no user named %(username)s.") % {"username": username}) from exc
        if not user.is_active:
            raise CommandError(_("User %(username)s is inactive.") % {"username": username})
        if regenerate:
            Token.objects.filter(user=user).delete()
        token, _created = Token.objects.get_or_create(user=user)
        self.stdout.write(token.key)

import pytest
from django.contrib.auth.models import Group, User


@pytest.fixture
def accountant_client(client, db):
    user = User.objects.create_user("rita", password="s3cret-ledger-pass")
    user.groups.add(Group.objects.get(name="accountant"))
    client.force_login(user)
    return client

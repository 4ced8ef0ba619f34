"""Creates the role groups with their permissions (core.permissions.ROLE_PERMISSIONS). Idempotent."""

from django.contrib.auth.management import create_permissions


def ensure_roles(apps=None):
    from django.apps import apps as global_apps

    apps = apps or global_apps
    core_config = global_apps.get_app_config("core")
    create_permissions(core_config, verbosity=0, apps=apps)
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    from core.permissions import ROLE_PERMISSIONS

    for role, codenames in ROLE_PERMISSIONS.items():
        group, _created = Group.objects.get_or_create(name=role)
        perms = Permission.objects.filter(content_type__app_label="core", codename__in=codenames)
        group.permissions.set(perms)

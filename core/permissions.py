"""Roles as Django groups with permissions (core.Role): accountant, controller, integration, admin.

A view states what an unsafe request needs with ``write_permission`` (default: manage setup). Reading needs
``core.view_books``. Anonymous requests get 401 from DRF's authentication before this runs.
"""

from rest_framework.permissions import SAFE_METHODS, BasePermission

ROLE_PERMISSIONS = {
    "accountant": ["view_books", "post_entries"],
    "controller": ["view_books", "post_entries", "run_jobs", "close_periods"],
    "integration": ["view_books", "post_entries"],
    "admin": ["view_books", "post_entries", "run_jobs", "close_periods", "manage_setup"],
}

VIEW = "core.view_books"
POST = "core.post_entries"
RUN_JOBS = "core.run_jobs"
CLOSE_PERIODS = "core.close_periods"
SETUP = "core.manage_setup"


class RolePermission(BasePermission):
    def has_permission(self, request, view):
        user = request.user
        if not user or not user.is_authenticated:
            return False
        if request.method in SAFE_METHODS:
            needed = getattr(view, "read_permission", VIEW)
        else:
            needed = getattr(view, "write_permission", SETUP)
        return user.has_perm(needed)

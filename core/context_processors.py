"""What every page's frame needs: the navigation (links light up once their page exists) and the user's roles."""

from django.utils.translation import gettext_lazy as _

from core.permissions import POST
from core.templatetags.costbook import url_or_none

# (group label, [(URL name, label), ...]). A URL name nobody has registered yet renders as a disabled link, so the
# menu shows what is coming and each link starts working the moment its page's URL name exists.
NAVIGATION = [
    (_("Overview"), [("home", _("Home"))]),
    (_("Inventory"), [("items", _("Items")), ("production-orders", _("Production orders"))]),
    (
        _("Posting"),
        [
            ("item-journal", _("Item journal")),
            ("revaluation-journal", _("Revaluation journal")),
            ("cancel-document", _("Cancel a document")),
        ],
    ),
    (
        _("Ledgers"),
        [
            ("item-ledger-entries", _("Item ledger entries")),
            ("value-entries", _("Value entries")),
            ("gl-entries", _("G/L entries")),
        ],
    ),
    (
        _("Periodic activities"),
        [
            ("cost-adjustment", _("Cost adjustment")),
            ("post-inventory-cost", _("Post inventory cost to G/L")),
            ("reconciliation", _("Inventory – G/L reconciliation")),
            ("reports", _("Reports")),
            ("inventory-periods", _("Inventory periods")),
            ("jobs", _("Jobs")),
        ],
    ),
    (
        _("Setup"),
        [
            ("chart-of-accounts", _("Chart of accounts")),
            ("setup", _("Setup")),
            ("admin:index", _("Administration")),
        ],
    ),
]

ROLE_LABELS = {
    "accountant": _("Accountant"),
    "controller": _("Controller"),
    "integration": _("Integration"),
    "admin": _("Administrator"),
}


# Links only some users can follow: the Django admin is for staff, the journals for those who may post.
STAFF_ONLY = {"admin:index"}
POSTING_ONLY = {"item-journal", "revaluation-journal", "cancel-document"}


def navigation(request):
    match = getattr(request, "resolver_match", None)
    current = match.view_name if match else None
    user = getattr(request, "user", None)
    is_staff = bool(user is not None and user.is_staff)
    may_post = bool(user is not None and user.has_perm(POST))
    groups = []
    for label, links in NAVIGATION:
        items = []
        for name, link_label in links:
            if (name in STAFF_ONLY and not is_staff) or (name in POSTING_ONLY and not may_post):
                continue
            items.append({"name": name, "label": link_label, "url": url_or_none(name), "current": name == current})
        if items:
            groups.append({"label": label, "links": items})
    return {"nav_groups": groups}


def user_roles(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"user_roles": []}
    names = sorted(group.name for group in user.groups.all())
    roles = [ROLE_LABELS.get(name, name) for name in names]
    if not roles and user.is_superuser:
        roles = [_("Superuser")]
    return {"user_roles": roles}

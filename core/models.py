"""Cross-cutting records: gap-free counters, idempotency keys, the audit trail and user preferences."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class Counter(models.Model):
    """The last number handed out for one ledger (G/L entries, item ledger entries, ...).

    Numbers are taken with ``UPDATE ... SET last = last + n RETURNING last`` inside the posting transaction, so a
    rolled-back posting returns its numbers and the ledgers stay gap-free in posting order (core.sequences).
    """

    name = models.CharField(max_length=40, primary_key=True)
    last = models.BigIntegerField(default=0)

    class Meta:
        db_table = "core_counter"


class Role(models.Model):
    """Holds the role permissions only (no rows): accountant, controller, integration and admin groups get them."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [
            ("view_books", "Can view ledgers, setup and reports"),
            ("post_entries", "Can post journals"),
            ("run_jobs", "Can run and schedule batch jobs"),
            ("close_periods", "Can close and reopen inventory periods"),
            ("manage_setup", "Can change setup"),
        ]


class IdempotencyKey(models.Model):
    """The first response to a posting request sent with an ``Idempotency-Key`` header.

    The row is inserted in the same transaction as the posting, so a key is either bound to a committed posting and
    its response or to nothing at all.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE)
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10)
    path = models.CharField(max_length=300)
    body_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True)
    response = models.JSONField(null=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "core_idempotency_key"
        constraints = [models.UniqueConstraint(fields=["user", "key"], name="idempotency_key_unique_per_user")]


class AuditEntry(models.Model):
    """One row per state-changing request or service action: who, what, when, from where."""

    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    action = models.CharField(max_length=100)
    method = models.CharField(max_length=10, blank=True)
    path = models.CharField(max_length=300, blank=True)
    status_code = models.PositiveSmallIntegerField(null=True)
    remote_addr = models.CharField(max_length=64, blank=True)
    details = models.JSONField(default=dict, blank=True)

    class Meta:
        db_table = "core_audit_entry"
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit entries")


class UserProfile(models.Model):
    """Per-user preferences; the language here wins over the browser's Accept-Language."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="profile")
    language = models.CharField(max_length=10, blank=True, choices=settings.LANGUAGES)

    class Meta:
        db_table = "core_user_profile"

"""Job runs: one row per run of Adjust Cost or Post Inventory Cost to G/L, manual or scheduled.

The row is the truth about a run; the Celery message only says "look at run N". A worker claims the row with a
conditional UPDATE (queued -> running, ``attempt + 1``) and fences every later write on that attempt number, so a
redelivered message or a worker that was given up for dead can never overwrite the run of the worker that took over.
"""

from decimal import Decimal

from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class Job(models.TextChoices):
    ADJUST_COST = "adjust_cost", _("Adjust Cost - Item Entries")
    POST_INVENTORY_COST_TO_GL = "post_inventory_cost_to_gl", _("Post Inventory Cost to G/L")


class Status(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    SUCCEEDED = "succeeded", _("Succeeded")
    FAILED = "failed", _("Failed")


ACTIVE = (Status.QUEUED, Status.RUNNING)

# Jobs in one lock group never run at the same time. Adjust Cost and Post Inventory Cost to G/L both write the
# Post Value Entry to G/L queue and the G/L, so they share a group (costing reference 6.2: do not schedule them at the
# same time).
COST_LOCK_GROUP = "inventory_cost"
LOCK_GROUPS = {Job.ADJUST_COST: COST_LOCK_GROUP, Job.POST_INVENTORY_COST_TO_GL: COST_LOCK_GROUP}


class JobRun(models.Model):
    job = models.CharField(_("job"), max_length=40, choices=Job.choices)
    status = models.CharField(_("status"), max_length=10, choices=Status.choices, default=Status.QUEUED)
    parameters = models.JSONField(_("parameters"), default=dict, blank=True, encoder=DjangoJSONEncoder)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    schedule = models.CharField(_("schedule"), max_length=200, blank=True, help_text=_("Blank for a manual run."))
    lock_group = models.CharField(_("lock group"), max_length=40, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    progress = models.DecimalField(
        _("progress"),
        max_digits=5,
        decimal_places=4,
        default=Decimal(0),
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(1))],
    )
    result = models.JSONField(_("result"), null=True, blank=True, encoder=DjangoJSONEncoder)
    error = models.TextField(_("error"), blank=True)
    error_item = models.CharField(_("error item"), max_length=20, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    heartbeat_at = models.DateTimeField(_("heartbeat at"), null=True, blank=True)
    # Bumped by every claim; a worker's writes are fenced on the attempt it claimed.
    attempt = models.PositiveIntegerField(_("attempt"), default=0)
    cancel_requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("cancel requested by"),
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
    )
    cancel_requested_at = models.DateTimeField(_("cancel requested at"), null=True, blank=True)

    class Meta:
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        ordering = ["-id"]
        constraints = [
            # One active run per lock group: two simultaneous start_run calls cannot both insert.
            models.UniqueConstraint(
                fields=["lock_group"],
                condition=Q(status__in=["queued", "running"]),
                name="jobrun_one_active_per_lock_group",
            ),
            models.CheckConstraint(condition=Q(progress__gte=0, progress__lte=1), name="jobrun_progress_0_to_1"),
            models.CheckConstraint(condition=Q(job__in=[j.value for j in Job]), name="jobrun_job_known"),
            models.CheckConstraint(condition=Q(status__in=[s.value for s in Status]), name="jobrun_status_known"),
        ]
        indexes = [
            # The sweeper: runs that are running with an old heartbeat, or queued for too long.
            models.Index(fields=["status", "heartbeat_at"], name="jobrun_status_heartbeat"),
            # latest_runs(job=...) and the API filter: newest runs of one job.
            models.Index(fields=["job", "-id"], name="jobrun_job_newest"),
        ]

    def __str__(self) -> str:
        return f"{self.get_job_display()} #{self.pk} ({self.status})"

    @property
    def duration(self):
        if self.started_at is None:
            return None
        from django.utils import timezone

        return (self.finished_at or timezone.now()) - self.started_at

    @property
    def is_active(self) -> bool:
        return self.status in ACTIVE

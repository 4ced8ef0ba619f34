"""The Jobs page: schedules (create with the assisted setup, edit time and days), recent runs with a live progress bar,
run now, cancel.

Reading needs ``view_books``; running, cancelling and scheduling need ``run_jobs``. Runs started here go through
``jobs.services.start_run`` like the API's; without a broker they run in a thread of the web process, so the page can
poll their progress.
"""

from datetime import timedelta

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import permission_required
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from core.errors import BooksError
from core.permissions import RUN_JOBS, VIEW
from jobs import schedules, selectors, services
from jobs.models import Job, JobRun

RECENT_RUNS = 30
DAY_CHOICES = [
    (1, gettext_lazy("Mon")),
    (2, gettext_lazy("Tue")),
    (3, gettext_lazy("Wed")),
    (4, gettext_lazy("Thu")),
    (5, gettext_lazy("Fri")),
    (6, gettext_lazy("Sat")),
    (0, gettext_lazy("Sun")),
]


class AdjustCostForm(forms.Form):
    post_to_gl = forms.TypedChoiceField(
        label=gettext_lazy("Post to G/L"),
        choices=[
            ("", gettext_lazy("As automatic cost posting")),
            ("yes", gettext_lazy("Yes")),
            ("no", gettext_lazy("No")),
        ],
        coerce=lambda v: {"yes": True, "no": False}.get(v),
        empty_value=None,
        required=False,
    )


class PostToGLForm(forms.Form):
    posting_method = forms.ChoiceField(
        label=gettext_lazy("Posting method"),
        choices=[("per_entry", gettext_lazy("Per entry")), ("per_posting_group", gettext_lazy("Per posting group"))],
    )
    document_no = forms.CharField(
        label=gettext_lazy("Document no."),
        max_length=40,
        required=False,
        help_text=gettext_lazy("Required per posting group, refused per entry."),
    )
    post = forms.BooleanField(label=gettext_lazy("Post"), required=False, initial=True)


class ScheduleForm(forms.Form):
    time = forms.TimeField(label=gettext_lazy("Starting time"), widget=forms.TimeInput(attrs={"type": "time"}))
    days = forms.TypedMultipleChoiceField(
        label=gettext_lazy("Days"), choices=DAY_CHOICES, coerce=int, widget=forms.CheckboxSelectMultiple
    )
    enabled = forms.BooleanField(label=gettext_lazy("Enabled"), required=False)


class ScheduleSetupForm(forms.Form):
    adjust_cost = forms.BooleanField(label=gettext_lazy("Adjust Cost - Item Entries, daily at 01:00"), required=False)
    post_to_gl = forms.BooleanField(
        label=gettext_lazy("Post Inventory Cost to G/L, per entry, daily at 02:00"), required=False
    )


def _duration(delta: timedelta | None) -> str:
    if delta is None:
        return ""
    seconds = int(delta.total_seconds())
    hours, rest = divmod(seconds, 3600)
    minutes, seconds = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{seconds:02d}" if hours else f"{minutes}:{seconds:02d}"


def _runs_context(request) -> dict:
    runs = selectors.latest_runs(limit=RECENT_RUNS)
    for run in runs:
        run.duration_text = _duration(run.duration)
        run.percent = int(run.progress * 100)
    return {
        "runs": runs,
        "any_active": any(run.is_active for run in runs),
        "can_run": request.user.has_perm(RUN_JOBS),
    }


def _schedule_rows() -> list[dict]:
    rows = []
    for job, info in selectors.schedules_by_job().items():
        form = None
        if info is not None:
            form = ScheduleForm(initial={"time": info.time, "days": info.days, "enabled": info.enabled}, prefix=job)
        rows.append({"job": job, "label": Job(job).label, "info": info, "form": form})
    return rows


@permission_required(VIEW, raise_exception=True)
def jobs_page(request):
    rows = _schedule_rows()
    setup_form = ScheduleSetupForm(initial={row["job"]: row["info"] is None for row in rows})
    context = {
        **_runs_context(request),
        "schedules": rows,
        "unscheduled": [row for row in rows if row["info"] is None],
        "setup_form": setup_form,
        "notice": selectors.schedule_notice(),
        "adjust_form": AdjustCostForm(),
        "post_form": PostToGLForm(initial={"post": True}),
        "in_process": services.in_process(),
    }
    return render(request, "jobs/jobs.html", context)


@permission_required(VIEW, raise_exception=True)
def runs_partial(request):
    """The runs table alone: the page polls it every second while a run is queued or running."""
    return render(request, "jobs/_runs.html", _runs_context(request))


def _need_run_jobs(request):
    if not request.user.has_perm(RUN_JOBS):
        raise PermissionDenied


@require_POST
def run_now(request, job):
    _need_run_jobs(request)
    if job not in Job.values:
        raise Http404
    form = AdjustCostForm(request.POST) if job == Job.ADJUST_COST else PostToGLForm(request.POST)
    if not form.is_valid():
        for field, errors in form.errors.items():
            messages.error(request, f"{form.fields[field].label}: {errors[0]}" if field in form.fields else errors[0])
        return redirect("jobs")
    try:
        run = services.start_run(job, form.cleaned_data, user=request.user)
    except BooksError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("%(job)s started (run %(id)s).") % {"job": Job(job).label, "id": run.pk})
    return redirect("jobs")


@require_POST
def cancel(request, run_id):
    _need_run_jobs(request)
    try:
        run = services.cancel_run(run_id, request.user)
    except JobRun.DoesNotExist:
        raise Http404 from None
    except BooksError as error:
        messages.error(request, error.message)
    else:
        if run.is_active:
            messages.success(request, _("Run %(id)s stops after its current batch.") % {"id": run.pk})
        else:
            messages.success(request, _("Run %(id)s is cancelled.") % {"id": run.pk})
    return redirect("jobs")


@require_POST
def schedule_setup(request):
    """Schedule Cost Adjustment and Posting (the assisted setup of costing reference 6.2)."""
    _need_run_jobs(request)
    form = ScheduleSetupForm(request.POST)
    form.is_valid()
    try:
        created = schedules.schedule_cost_adjustment_and_posting(
            adjust_cost=form.cleaned_data.get("adjust_cost", False),
            post_to_gl=form.cleaned_data.get("post_to_gl", False),
        )
    except BooksError as error:
        messages.error(request, error.message)
    else:
        names = ", ".join(task.name for task in created)
        messages.success(request, _("Scheduled: %(names)s.") % {"names": names})
    return redirect("jobs")


@require_POST
def schedule_edit(request, job):
    _need_run_jobs(request)
    if job not in Job.values:
        raise Http404
    try:
        if "delete" in request.POST:
            schedules.delete_schedule(job)
            messages.success(request, _("The schedule of %(job)s is deleted.") % {"job": Job(job).label})
            return redirect("jobs")
        form = ScheduleForm(request.POST, prefix=job)
        if not form.is_valid():
            for field, errors in form.errors.items():
                messages.error(request, f"{form.fields[field].label}: {errors[0]}")
            return redirect("jobs")
        at = form.cleaned_data["time"]
        schedules.update_schedule(
            job, hour=at.hour, minute=at.minute, days=form.cleaned_data["days"], enabled=form.cleaned_data["enabled"]
        )
    except BooksError as error:
        messages.error(request, error.message)
    else:
        messages.success(request, _("The schedule of %(job)s is saved.") % {"job": Job(job).label})
    return redirect("jobs")

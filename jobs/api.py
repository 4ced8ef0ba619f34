"""REST API of the jobs (shared/spec/api.md "Jobs"): start a run, read runs, cancel one.

Starting answers 202 with the queued run when a Celery worker will run it, or 201 with the finished run when jobs run
in-process (no REDIS_URL): then the request runs it, which is simpler for integrators than polling. 409 with code
``job_running`` while a run of the same or a conflicting job is queued or running.
"""

from django.http import Http404
from drf_spectacular.utils import extend_schema
from rest_framework import generics, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from core.api import IdempotentPostMixin
from core.permissions import RUN_JOBS
from jobs import selectors, services
from jobs.models import Job, JobRun
from jobs.serializers import AdjustCostJobSerializer, JobRunSerializer, PostInventoryCostToGLJobSerializer
from ledger.api import ERROR_RESPONSES

START_RESPONSES = {201: JobRunSerializer, 202: JobRunSerializer, **ERROR_RESPONSES}


class StartJobView(IdempotentPostMixin, generics.GenericAPIView):
    write_permission = RUN_JOBS
    job: str

    def post(self, request):
        return self.idempotent(request, lambda: self._post(request))

    def parameters(self, data: dict) -> dict:
        return data

    def _post(self, request):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        run = services.start_run(
            self.job, self.parameters(dict(serializer.validated_data)), user=request.user, synchronous=True
        )
        code = status.HTTP_202_ACCEPTED if run.is_active else status.HTTP_201_CREATED
        return Response(JobRunSerializer(run).data, status=code)


class AdjustCostJobView(StartJobView):
    """Adjust Cost - Item Entries for the given items (default: every item whose cost is not adjusted)."""

    job = Job.ADJUST_COST
    serializer_class = AdjustCostJobSerializer

    @extend_schema(tags=["jobs"], responses=START_RESPONSES, operation_id="job_adjust_cost")
    def post(self, request):
        return super().post(request)


class PostInventoryCostToGLJobView(StartJobView):
    """Post Inventory Cost to G/L over the queue of value entries not yet posted (``post: false``: report only)."""

    job = Job.POST_INVENTORY_COST_TO_GL
    serializer_class = PostInventoryCostToGLJobSerializer

    def parameters(self, data: dict) -> dict:
        data["document_no"] = data.get("document_no") or ""
        return data

    @extend_schema(tags=["jobs"], responses=START_RESPONSES, operation_id="job_post_inventory_cost_to_gl")
    def post(self, request):
        return super().post(request)


@extend_schema(tags=["jobs"])
class JobRunViewSet(viewsets.ReadOnlyModelViewSet):
    """Job runs, newest first; filter by ``job`` and ``status``."""

    serializer_class = JobRunSerializer
    queryset = selectors.job_runs()
    filterset_fields = ["job", "status"]
    ordering_fields = ["id", "created_at", "started_at", "finished_at"]
    ordering = ["-id"]
    write_permission = RUN_JOBS

    @extend_schema(request=None, responses={200: JobRunSerializer, **ERROR_RESPONSES}, operation_id="job_run_cancel")
    @action(detail=True, methods=["post"])
    def cancel(self, request, pk=None):
        """Cancel a run: a queued run fails at once, a running one stops after its current batch."""
        try:
            run = services.cancel_run(int(pk), request.user)
        except (JobRun.DoesNotExist, ValueError):
            raise Http404 from None
        return Response(JobRunSerializer(run).data)

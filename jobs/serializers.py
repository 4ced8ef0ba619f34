from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from jobs.models import JobRun


class AdjustCostJobSerializer(serializers.Serializer):
    items = serializers.ListField(child=serializers.CharField(max_length=20), required=False, default=list)
    post_to_gl = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=_("Default: the automatic cost posting setting.")
    )


class PostInventoryCostToGLJobSerializer(serializers.Serializer):
    posting_method = serializers.ChoiceField(choices=["per_entry", "per_posting_group"])
    document_no = serializers.CharField(
        max_length=40,
        required=False,
        allow_blank=True,
        allow_null=True,
        default=None,
        help_text=_("Required per posting group, refused per entry."),
    )
    post = serializers.BooleanField(default=True, help_text=_("false: report what would be posted, post nothing."))
    items = serializers.ListField(child=serializers.CharField(max_length=20), required=False, default=list)
    posting_date_to = serializers.DateField(required=False, allow_null=True, default=None)


class JobRunSerializer(serializers.ModelSerializer):
    requested_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    progress = serializers.FloatField(read_only=True, help_text=_("From 0 to 1."))
    cancel_requested = serializers.SerializerMethodField()

    class Meta:
        model = JobRun
        fields = [
            "id",
            "job",
            "status",
            "parameters",
            "requested_by",
            "schedule",
            "created_at",
            "started_at",
            "finished_at",
            "heartbeat_at",
            "progress",
            "result",
            "error",
            "error_item",
            "cancel_requested",
        ]
        read_only_fields = fields

    def get_cancel_requested(self, run) -> bool:
        return run.cancel_requested_at is not None

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "core"
    verbose_name = "Core"

    def ready(self):
        from django.core.signals import request_finished, request_started

        from core import json_types
        from core.bulk import resume_gc_after_request

        json_types.install()

        request_finished.connect(resume_gc_after_request, dispatch_uid="core.bulk.resume_gc_after_request")
        request_started.connect(resume_gc_after_request, dispatch_uid="core.bulk.resume_gc_after_request.started")

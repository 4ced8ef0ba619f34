"""The frame's pages: the home dashboard, the language preference and the server-error page."""

import sys

from django.contrib.auth.decorators import login_required
from django.db import InterfaceError, OperationalError
from django.http import HttpResponseServerError, JsonResponse
from django.shortcuts import render
from django.template import loader
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

from core.api import RETRY_AFTER_SECONDS, database_unavailable_body
from core.models import UserProfile
from core.permissions import VIEW
from core.selectors_pages import books_summary, latest_gl_registers


def home(request):
    """The books at a glance; a user without a role is told why there is nothing to see."""
    context = {"can_view_books": request.user.has_perm(VIEW)}
    if context["can_view_books"]:
        context["summary"] = books_summary()
        context["registers"] = latest_gl_registers()
    return render(request, "core/home.html", context)


@login_required
@require_POST
def set_user_language(request):
    """Save the chosen language on the user's profile, then let Django set the cookie and redirect to ``next``."""
    language = request.POST.get("language", "")
    response = set_language(request)
    if language in dict(UserProfile._meta.get_field("language").choices):
        UserProfile.objects.update_or_create(user=request.user, defaults={"language": language})
    return response


def server_error(request):
    """Django's ``handler500``, called while the failure is being handled (``sys.exc_info()`` holds it).

    A failure of the database of the moment (``OperationalError``: the connection dropped, a deadlock, a timeout;
    ``InterfaceError``: it was already gone) is a 503 with ``Retry-After``, as the API answers it: on a page, a page
    that says nothing was posted and to retry; under /api/ (a failure in middleware, before DRF's own handler), the
    API's JSON. Anything else is the 500 page. Both templates render without the request's context: the context
    processors read the database, which may be what failed.
    """
    exc = sys.exc_info()[1]
    if isinstance(exc, OperationalError | InterfaceError):
        if request.path.startswith("/api/"):
            response = JsonResponse(database_unavailable_body(), status=503)
        else:
            response = HttpResponseServerError(loader.get_template("503.html").render(), status=503)
        response["Retry-After"] = str(RETRY_AFTER_SECONDS)
        return response
    return HttpResponseServerError(loader.get_template("500.html").render())

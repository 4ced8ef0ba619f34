"""The frame's pages: the home dashboard and the language preference."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.views.decorators.http import require_POST
from django.views.i18n import set_language

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

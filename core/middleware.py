from django.http import JsonResponse
from django.utils import translation
from django.utils.translation import gettext


class UserLanguageMiddleware:
    """Activates the signed-in user's chosen language; without one, LocaleMiddleware's browser choice stands."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        if user is not None and user.is_authenticated:
            profile = getattr(user, "profile", None) if hasattr(user, "profile") else None
            if profile is not None and profile.language:
                translation.activate(profile.language)
                request.LANGUAGE_CODE = profile.language
        return self.get_response(request)


class ApiNotFoundMiddleware:
    """A path under /api/ that names nothing (no route matches it) answers 404 in the API's JSON shape, like every
    other API error, instead of Django's HTML page: an integration reads ``detail`` whatever went wrong."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if (
            response.status_code == 404
            and request.path.startswith("/api/")
            and not response.get("Content-Type", "").startswith("application/json")
        ):
            return JsonResponse({"detail": gettext("Not found."), "code": "not_found"}, status=404)
        return response

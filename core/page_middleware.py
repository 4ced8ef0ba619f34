"""Sign-in is required for every page unless the view says otherwise (``login_not_required``).

The REST API is not affected: DRF marks its views ``login_required = False`` and answers anonymous requests itself
with 401. An htmx request whose session has expired gets an ``HX-Redirect`` so the browser shows the whole sign-in
page instead of swapping it into a table.
"""

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpResponse


class PagesLoginRequiredMiddleware(LoginRequiredMiddleware):
    def handle_no_permission(self, request, view_func):
        response = super().handle_no_permission(request, view_func)
        if request.headers.get("HX-Request") == "true":
            redirect = HttpResponse(status=204)
            redirect["HX-Redirect"] = response["Location"]
            return redirect
        return response

"""Sign-in, sign-out and the error pages. Error pages are in the design system for pages and
JSON, in the API's own shape ({"code", "message", "details"}), for anything under /api/."""

from typing import Any

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template import loader
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.csrf import requires_csrf_token
from django.views.decorators.http import require_http_methods

from accounts.tokens import TokenNotFound, revoke_token, token_state, tokens_of
from core.middleware import API_PREFIX


class LoginView(auth_views.LoginView):
    template_name = "ui/accounts/login.html"


class LogoutView(auth_views.LogoutView):
    """POST only (Django 5); says so on the page it lands on."""

    def post(self, request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        response = super().post(request, *args, **kwargs)
        messages.success(request, _("You have signed out."))
        return response


@login_required
@require_http_methods(["GET", "POST"])
def api_tokens(request: HttpRequest) -> HttpResponse:
    """The signed-in user's API tokens (X6): which apps are signed in, until when; POST token=<id>
    revokes one at once."""
    user = request.user
    if not isinstance(user, User):  # login_required let only a signed-in user through
        raise PermissionDenied
    if request.method == "POST":
        raw = request.POST.get("token", "")
        try:
            revoke_token(user=user, token_id=int(raw) if raw.isdigit() else 0, now=timezone.now())
            messages.success(request, _("The token was revoked: the app using it is signed out."))
        except TokenNotFound as refused:
            messages.error(request, str(refused))
        return redirect("api_tokens")
    now = timezone.now()
    rows = [(token, token_state(token, password_hash=user.password, now=now)) for token in tokens_of(user)]
    return render(request, "ui/accounts/tokens.html", {"rows": rows})


def _is_api(request: HttpRequest) -> bool:
    return request.path_info.startswith(API_PREFIX)


def _api_error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse({"code": code, "message": message, "details": {}}, status=status)


@requires_csrf_token
def bad_request(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error(400, "bad_request", "The request could not be understood.")
    return render(request, "400.html", status=400)


@requires_csrf_token
def permission_denied(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error(403, "forbidden", "You may not do this.")
    return render(request, "403.html", status=403)


@requires_csrf_token
def page_not_found(request: HttpRequest, exception: Exception | None = None) -> HttpResponse:
    if _is_api(request):
        return _api_error(404, "not_found", "Not found.")
    return render(request, "404.html", status=404)


@requires_csrf_token
def server_error(request: HttpRequest) -> HttpResponse:
    """Rendered without the request's context: whatever broke (the database, a context processor)
    must not break the error page too."""
    if _is_api(request):
        return _api_error(500, "server_error", "Something went wrong on our side; please try again later.")
    return HttpResponse(loader.get_template("500.html").render(), status=500)


def csrf_failure(request: HttpRequest, reason: str = "") -> HttpResponse:
    """settings.CSRF_FAILURE_VIEW: a form sent from a page left open too long, or without cookies."""
    if _is_api(request):
        return _api_error(403, "csrf_failed", "CSRF check failed: send the X-CSRFToken header with a session.")
    return render(request, "403_csrf.html", status=403)

"""The JSON API root: /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Every refusal is JSON `{"code", "message", "details"}` with a 4xx status (X5); a busy
database answers 503 with code "busy" instead of an error page.
"""

from django.db import OperationalError
from django.http import Http404, HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError

from api import (
    account,
    carts,
    catalog,
    desk_cart,
    desk_households,
    desk_pending,
    households,
    orders,
    payments_webhooks,
    rentals,
    reports,
    setup,
    setup_catalog_more,
    setup_imports,
    setup_lockouts,
    setup_reasons,
    staff,
    staff_group,
    staff_money,
    staff_rosters,
    upcoming,
)
from api.auth import token_router
from core.db.errors import is_busy
from core.errors import DomainError

STATUS_BY_KIND = {"invalid": 400, "not_found": 404, "conflict": 409, "forbidden": 403, "busy": 503, "throttled": 429}

api = NinjaAPI(
    title="Registrar API",
    version="1",
    description="Everything a household can do in the portal (X3), and the staff operations. "
    "Authenticate with `Authorization: Bearer <token>` (POST /api/v1/auth/token) or a session.",
    urls_namespace="api-1",
)


def _error(request: HttpRequest, status: int, code: str, message: str, **details: object) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "details": details}, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    response = _error(request, STATUS_BY_KIND[exc.kind], exc.code, exc.message, **exc.details)
    if "retry_after" in exc.details:  # a throttled refusal says when to come back (RFC 9110)
        response["Retry-After"] = str(exc.details["retry_after"])
    return response


@api.exception_handler(ValidationError)
def validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    problems = [
        {"field": ".".join(str(p) for p in error.get("loc", ())[1:]) or None, "problem": error.get("msg", "")}
        for error in exc.errors
    ]
    summary = "; ".join(f"{p['field']}: {p['problem']}" if p["field"] else p["problem"] for p in problems)
    return _error(request, 400, "invalid_request", summary or "The request is not valid.", errors=problems)


@api.exception_handler(AuthenticationError)
def authentication_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    response = _error(request, 401, "not_authenticated", "Sign in, or send a valid API token.")
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", "Not found.")


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    code = "malformed_request" if exc.status_code == 400 else "http_error"
    return _error(request, exc.status_code, code, str(exc))


@api.exception_handler(OperationalError)
def database_busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    if is_busy(exc):  # by SQLSTATE / SQLite's code, not by the message
        return _error(request, 503, "busy", "Registration is very busy right now; please try again in a moment.")
    raise exc


api.add_router("", token_router)
api.add_router("", catalog.router)
api.add_router("", households.router)
api.add_router("", carts.router)
api.add_router("", orders.router)
api.add_router("", staff.router)
api.add_router("", staff_money.router)
api.add_router("", staff_rosters.router)
api.add_router("", staff_group.router)


api.add_router("", desk_households.router)
api.add_router("", desk_pending.router)
api.add_router("", desk_cart.router)
api.add_router("", setup.router)
api.add_router("", setup_catalog_more.router)  # setup_catalog's router, with the endpoints of both
api.add_router("", setup_imports.router)
api.add_router("", reports.router)
api.add_router("", setup_reasons.router)
api.add_router("", setup_lockouts.router)
api.add_router("", rentals.router)
api.add_router("", payments_webhooks.router)
api.add_router("", account.router)
api.add_router("", upcoming.router)

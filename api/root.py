"""The JSON API root: /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs.

Every refusal is JSON `{"code", "message", "details"}` with a 4xx status (X5), its code and
status from the one table in api/refusals.py; a busy database answers 503 with code "busy"
instead of an error page. How to add an endpoint: docs/api.md.
"""

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.conf import settings
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
    setup_staff,
    staff,
    staff_group,
    staff_money,
    staff_rosters,
    upcoming,
)
from api.auth import token_router
from api.parser import CheckedParser
from api.refusals import API_REFUSALS, prepare_operations, status_of
from core.db.errors import is_busy
from core.errors import DomainError
from organizations.models import StaffMembership


def docs_access(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
    """/api/v1/docs as settings.API_DOCS says: public, for signed-in staff only (production's
    default; anyone else gets the JSON 404), or off."""

    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
        mode = settings.API_DOCS
        allowed = mode == "public" or (
            mode == "staff"
            and request.user.is_authenticated
            and StaffMembership.objects.filter(user_id=request.user.pk, is_active=True).exists()
        )
        if not allowed:
            return _error(request, 404, "not_found", API_REFUSALS["not_found"].message)
        return view(request, *args, **kwargs)

    return wrapper


api = NinjaAPI(
    title="Registrar API",
    version="1",
    description="Everything a household can do in the portal (X3), and the staff operations. "
    "Authenticate with `Authorization: Bearer <token>` (POST /api/v1/auth/token) or a session.",
    urls_namespace="api-1",
    parser=CheckedParser(),
    docs_decorator=docs_access,
)


def _error(request: HttpRequest, status: int, code: str, message: str, **details: object) -> HttpResponse:
    return api.create_response(request, {"code": code, "message": message, "details": details}, status=status)


@api.exception_handler(DomainError)
def domain_error(request: HttpRequest, exc: DomainError) -> HttpResponse:
    response = _error(request, status_of(exc), exc.code, exc.message, **exc.details)
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
    response = _error(request, 401, "not_authenticated", API_REFUSALS["not_authenticated"].message)
    response["WWW-Authenticate"] = 'Bearer realm="api"'
    return response


@api.exception_handler(Http404)
def not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return _error(request, 404, "not_found", API_REFUSALS["not_found"].message)


@api.exception_handler(HttpError)
def http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    if isinstance(exc.__cause__, DomainError):  # ninja wraps what the parser raised (api.parser)
        return domain_error(request, exc.__cause__)
    code = "malformed_request" if exc.status_code == 400 else "http_error"
    return _error(request, exc.status_code, code, str(exc))


@api.exception_handler(OperationalError)
def database_busy(request: HttpRequest, exc: OperationalError) -> HttpResponse:
    if is_busy(exc):  # by SQLSTATE / SQLite's code, not by the message
        return _error(request, 503, "busy", API_REFUSALS["busy"].message)
    raise exc


ROUTERS = [
    token_router,
    catalog.router,
    households.router,
    carts.router,
    orders.router,
    staff.router,
    desk_households.router,
    desk_cart.router,
    desk_pending.router,
    staff_money.router,
    staff_rosters.router,
    staff_group.router,
    setup.router,
    setup_catalog_more.router,  # setup_catalog's router, with the endpoints of both
    setup_imports.router,
    reports.router,
    setup_reasons.router,
    setup_lockouts.router,
    setup_staff.router,
    rentals.router,
    payments_webhooks.router,
    account.router,
    upcoming.router,
]
prepare_operations(ROUTERS)
for router in ROUTERS:
    api.add_router("", router)

"""The API's one table of refusals: every `code` an answer can carry, with its HTTP status and
its default message for people. Domain errors bring their own (core.errors.DomainError's
registry: code, kind, default message); the API adds the few that no service raises. Every
refusal is the JSON body `ErrorOut` {"code", "message", "details"} (X5), and every operation
documents every refusal status in the OpenAPI schema (`document_refusals`)."""

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from ninja import Router
from ninja.constants import NOT_SET

from api.access import access_of, gated
from api.schemas import ErrorOut
from core.errors import DomainError

STATUS_BY_KIND = {
    "invalid": 400,
    "forbidden": 403,
    "not_found": 404,
    "conflict": 409,
    "too_large": 413,
    "throttled": 429,
    "busy": 503,
}


@dataclass(frozen=True)
class Refusal:
    status: int
    message: str


# The API's own refusals (raised by the API layer, not by a domain service).
API_REFUSALS = {
    "invalid_request": Refusal(400, "The request is not valid."),  # a schema's validation: details.errors
    "malformed_request": Refusal(400, "The request body is not valid JSON."),
    "bad_request": Refusal(400, "The request could not be understood."),
    "not_authenticated": Refusal(401, "Sign in, or send a valid API token."),
    "forbidden": Refusal(403, "You may not do this."),
    "not_found": Refusal(404, "Not found."),
    "method_not_allowed": Refusal(405, "This method is not allowed here."),
    "payload_too_large": Refusal(413, "The request body is too large."),
    "uri_too_long": Refusal(414, "The address (path and query string) is too long."),
    "too_many_requests": Refusal(429, "Too many requests; try again later."),
    "server_error": Refusal(500, "Something went wrong on our side; it has been logged."),
    "busy": Refusal(503, "Registration is very busy right now; please try again in a moment."),
}


def refusals() -> dict[str, Refusal]:
    """code -> status and message, for every refusal the API can give (README, docs/api.md)."""
    table = dict(API_REFUSALS)
    for code, classes in sorted(DomainError.registry.items()):
        first = classes[0]
        table.setdefault(code, Refusal(STATUS_BY_KIND[first.kind], first.default_message))
    return table


def status_of(error: DomainError) -> int:
    return STATUS_BY_KIND[error.kind]


# What every operation may answer besides its own successes; 401 only behind authentication.
# 405 is Django's own answer for a path with other methods: not documented per operation.
EVERY_OPERATION = (400, 403, 404, 409, 413, 414, 429, 503)


def prepare_operations(routers: list[Router]) -> None:
    """For every operation of these routers, before they are added to the API: its declared
    access (api.access) checked right after authentication, before validation; every refusal
    status (the `ErrorOut` body) declared, so that the schema describes every answer."""
    for router in routers:
        for path_view in router.path_operations.values():
            for operation in path_view.operations:
                statuses: list[Any] = list(EVERY_OPERATION)
                auth = router.auth if operation.auth_param is NOT_SET else operation.auth_param
                if auth is not None and auth is not NOT_SET:
                    statuses.append(401)
                    access = access_of(operation.view_func)
                    if access is not None and access.audience in ("customer", "staff"):
                        authenticators: Sequence[Any] = auth if isinstance(auth, Sequence) else [auth]
                        operation.auth_param = gated(authenticators, access)
                        operation._set_auth(operation.auth_param)
                for status in statuses:
                    if status not in operation.response_models:
                        operation.response_models[status] = operation._create_response_model(ErrorOut)


def body_limit() -> int:
    return int(settings.DATA_UPLOAD_MAX_MEMORY_SIZE or 2_621_440)

"""X3: everything a family does in the portal it can do through the JSON API. Every route of
portal/urls.py is listed here with the API operation(s) that do the same, and each operation
must be in the OpenAPI schema; a new portal route without an entry fails until someone
declares its API counterpart (or, for the few that are the web's own plumbing, why it has none).
That each counterpart does the same thing as the page is test_api_parity_effects.py's check."""

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

from api.root import api

# route name -> the API operations ("METHOD /path" as in the OpenAPI schema) that do the same.
PARITY: dict[str, list[str]] = {
    # The shop (decision 0014).
    "home": ["GET /api/v1/orgs/{slug}/offerings"],
    "catalog": ["GET /api/v1/orgs/{slug}/offerings"],
    "availability": ["GET /api/v1/orgs/{slug}/offerings"],
    "offering": ["GET /api/v1/orgs/{slug}/offerings/{offering_id}"],
    "cart": ["GET /api/v1/orgs/{slug}/cart", "GET /api/v1/orgs/{slug}/balances"],
    "cart_timer": ["GET /api/v1/orgs/{slug}/cart"],
    "cart_add": ["POST /api/v1/orgs/{slug}/cart/items"],
    "cart_remove": ["DELETE /api/v1/orgs/{slug}/cart/items/{item_id}"],
    "cart_empty": ["DELETE /api/v1/orgs/{slug}/cart"],
    "cart_extend": ["POST /api/v1/orgs/{slug}/cart/extend"],
    # Facility rentals (S5, S6).
    "rentals": [
        "GET /api/v1/orgs/{slug}/facilities",
        "GET /api/v1/orgs/{slug}/facilities/{facility_id}/availability",
        "GET /api/v1/orgs/{slug}/rental-requests",
    ],
    "rental_book": ["POST /api/v1/orgs/{slug}/cart/rentals", "POST /api/v1/orgs/{slug}/rental-requests"],
    "rental_withdraw": ["DELETE /api/v1/orgs/{slug}/rental-requests/{request_id}"],
    # The account side (decision 0015).
    "signup": ["POST /api/v1/orgs/{slug}/signup", "POST /api/v1/orgs/{slug}/household"],
    "login": ["POST /api/v1/auth/token"],
    "verify_email": ["POST /api/v1/orgs/{slug}/household/email-verification"],
    "resend_verification": ["POST /api/v1/orgs/{slug}/household/email-verification/resend"],
    "password_reset": ["POST /api/v1/orgs/{slug}/password-reset"],
    "account": [
        "GET /api/v1/orgs/{slug}/household",
        "GET /api/v1/orgs/{slug}/orders",
        "GET /api/v1/orgs/{slug}/registrations",
        "GET /api/v1/orgs/{slug}/balances",
        "GET /api/v1/orgs/{slug}/rental-requests",
    ],
    "add_balance": ["POST /api/v1/orgs/{slug}/cart/balances"],
    "remove_balance": ["DELETE /api/v1/orgs/{slug}/cart/balances/{order_id}"],
    "participants": ["GET /api/v1/orgs/{slug}/household", "POST /api/v1/orgs/{slug}/household/participants"],
    "edit_participant": ["PATCH /api/v1/orgs/{slug}/household/participants/{participant_id}"],
    "pay_order": ["GET /api/v1/orgs/{slug}/orders/{order_id}", "POST /api/v1/orgs/{slug}/orders/{order_id}/pay"],
    "upcoming": ["GET /api/v1/orgs/{slug}/upcoming-courses", "GET /api/v1/orgs/{slug}/absence-reasons"],
    "absence": [
        "PUT /api/v1/orgs/{slug}/household/participants/{participant_id}/meetings/{meeting_id}/absence",
        "DELETE /api/v1/orgs/{slug}/household/participants/{participant_id}/meetings/{meeting_id}/absence",
    ],
    "calendar_reset": [
        "GET /api/v1/orgs/{slug}/household/calendar",
        "POST /api/v1/orgs/{slug}/household/calendar/reset",
    ],
    "checkout": ["POST /api/v1/orgs/{slug}/checkout"],
    "payment_return": ["GET /api/v1/orgs/{slug}/payments/{payment_id}"],
    "payment_retry": ["POST /api/v1/orgs/{slug}/payments/{payment_id}/retry"],
}

# Routes that are the web's own plumbing, with why the API has no counterpart.
NO_COUNTERPART: dict[str, str] = {
    "password_reset_done": "the page after asking: the API's 202 answer says the same",
    "password_reset_confirm": "the emailed link's form; an app sends the family to this page",
    "password_reset_complete": "the page after a new password: the form's own answer",
    "calendar_feed": "the feed is itself the machine-readable answer (iCalendar), for any client",
}


def portal_route_names() -> set[str]:
    resolver = get_resolver()
    names: set[str] = set()

    def walk(patterns: list[URLPattern | URLResolver], namespace: str | None) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                walk(pattern.url_patterns, pattern.namespace or namespace)
            elif namespace == "portal" and pattern.name:
                names.add(pattern.name)

    walk(resolver.url_patterns, None)
    return names


def api_operations() -> set[str]:
    schema = api.get_openapi_schema()
    return {f"{method.upper()} {path}" for path, methods in schema["paths"].items() for method in methods}


def test_x3_every_portal_route_has_a_declared_api_counterpart():
    routes = portal_route_names()
    assert "checkout" in routes
    assert "account" in routes
    undeclared = sorted(routes - PARITY.keys() - NO_COUNTERPART.keys())
    assert not undeclared, f"portal routes with no API counterpart declared in PARITY: {undeclared}"


def test_x3_every_declared_counterpart_is_in_the_openapi_schema():
    operations = api_operations()
    missing = {name: [op for op in ops if op not in operations] for name, ops in PARITY.items()}
    missing = {name: ops for name, ops in missing.items() if ops}
    assert not missing, f"declared API operations absent from the OpenAPI schema: {missing}"


def test_no_route_is_both_mapped_and_excused():
    assert not PARITY.keys() & NO_COUNTERPART.keys()


def test_x3_the_check_fails_for_an_undeclared_route(monkeypatch):
    """Negative control: a portal route nobody declared is reported."""
    import portal.tests.test_api_parity as module

    monkeypatch.setattr(module, "PARITY", {k: v for k, v in PARITY.items() if k != "checkout"})
    with pytest.raises(AssertionError, match="checkout"):
        module.test_x3_every_portal_route_has_a_declared_api_counterpart()

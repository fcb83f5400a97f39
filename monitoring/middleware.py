"""One middleware, first of all: the health and metrics endpoints, answered before anything
else (no host check, no HTTPS redirect, no session: a probe on a pod's address must get an
answer), and the counting of adds, refusals, checkouts and payments where their answers leave."""

import re
from collections.abc import Callable

from django.http import HttpRequest, HttpResponse

from monitoring import views
from monitoring.actions import COUNTED
from monitoring.counters import ADDS, CHECKOUTS, PAYMENTS, REFUSALS

ENDPOINTS: dict[str, Callable[[HttpRequest], HttpResponse]] = {
    path + slash: view
    for path, view in (("/health/live", views.live), ("/health/ready", views.ready), ("/metrics", views.metrics))
    for slash in ("", "/")
}
SUCCESS = {"add": ADDS, "checkout": CHECKOUTS, "payment": PAYMENTS}


class MonitoringMiddleware:
    """First in MIDDLEWARE. Answers /health/live, /health/ready and /metrics itself, whatever
    the Host header; counts the answers of the routes in monitoring.actions.COUNTED. Per
    request that is a dictionary look-up on the way in and one on the way out, and on a counted
    route one increment of a counter bound to its labels in advance (bench/README, "Operations":
    instructions per add before and after)."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        endpoint = ENDPOINTS.get(request.path_info)
        if endpoint is not None:
            return endpoint(request)
        response = self.get_response(request)
        match = request.resolver_match
        if match is not None:
            action = COUNTED.get(match.view_name)
            if action is not None:
                status = response.status_code
                if status < 300:
                    counted = COUNTED_SUCCESS.get(match.view_name)
                    if counted is not None:
                        counted.inc()
                elif status >= 400:
                    REFUSALS.labels(action.action, action.channel, refusal_code(response)).inc()
        return response


# The success counter of each counted route, bound to its labels once.
COUNTED_SUCCESS = {
    name: SUCCESS[action.action].labels(action.channel) for name, action in COUNTED.items() if action.success_counted
}
CODE = re.compile(rb'"code":\s*"([a-z0-9_]{1,60})"')


def refusal_code(response: HttpResponse) -> str:
    """The API's refusal code ({"code": ...}, found without parsing the whole body), or the
    status for an answer without one."""
    if not response.streaming and response.get("Content-Type", "").startswith("application/json"):
        found = CODE.search(response.content, 0, 400)
        if found:
            return found.group(1).decode()
    return str(response.status_code)

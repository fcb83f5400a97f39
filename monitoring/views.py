"""/health/live, /health/ready and /metrics (served by monitoring.middleware before any other
middleware). Both health answers are JSON; /health/ready is 200 or 503."""

import hmac

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from prometheus_client import CONTENT_TYPE_LATEST

from monitoring.metrics import exposition
from monitoring.readiness import readiness


def live(request: HttpRequest) -> JsonResponse:
    """The process is up and answers: no database, nothing else."""
    return JsonResponse({"status": "live"})


def ready(request: HttpRequest) -> JsonResponse:
    checks = readiness(timezone.now())
    ok = all(check.ok for check in checks.values())
    body = {
        "status": "ready" if ok else "not ready",
        "checks": {name: {"ok": check.ok, **check.details} for name, check in checks.items()},
    }
    return JsonResponse(body, status=200 if ok else 503)


def metrics(request: HttpRequest) -> HttpResponse:
    """Prometheus' text format. With METRICS_TOKEN set, only for `Authorization: Bearer
    <token>`; without it, open in development and off (404) in production."""
    token = settings.METRICS_TOKEN
    if not token:
        if not settings.DEBUG:
            return HttpResponse("Not found.", status=404, content_type="text/plain")
    else:
        scheme, _, sent = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not hmac.compare_digest(sent.strip().encode(), token.encode()):
            response = HttpResponse("A bearer token is needed.", status=401, content_type="text/plain")
            response["WWW-Authenticate"] = 'Bearer realm="metrics"'
            return response
    return HttpResponse(exposition(timezone.now()), content_type=CONTENT_TYPE_LATEST)

"""Event counters: what happened since the process started, counted where the request is
answered (monitoring.middleware), never in the domain code. Under gunicorn with several
workers, PROMETHEUS_MULTIPROC_DIR makes prometheus-client keep them in files that
/metrics adds up over the processes of one host (docs/decisions/0019-operations.md)."""

from prometheus_client import Counter

ADDS = Counter("registrar_adds", "Seats held by an add to cart (201 answers), by channel.", ["channel"])
REFUSALS = Counter(
    "registrar_refusals",
    "Refused adds, checkouts and payments (4xx and 503 answers), by action, channel and refusal code.",
    ["action", "channel", "code"],
)
CHECKOUTS = Counter("registrar_checkouts", "Checkouts that made an order, by channel.", ["channel"])
PAYMENTS = Counter(
    "registrar_payments",
    "Payments received: provider webhooks accepted, payments recorded at the desk; by channel.",
    ["channel"],
)


# The pages count their own answers (a page's status does not tell an add from a refusal: it
# redirects either way, and one form may add several participants); the API's routes are
# counted by monitoring.middleware from their status. The channel is who answered: portal,
# office, api or webhook.
def count_add(channel: str, seats: int = 1) -> None:
    ADDS.labels(channel).inc(seats)


def count_refusal(action: str, channel: str, code: str) -> None:
    REFUSALS.labels(action, channel, code).inc()


def count_checkout(channel: str) -> None:
    CHECKOUTS.labels(channel).inc()


def count_payment(channel: str) -> None:
    PAYMENTS.labels(channel).inc()

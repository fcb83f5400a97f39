"""Fixtures for the online providers: a local stand-in for the Stripe API, signers that
sign webhooks the way each provider does, and unpaid orders built with the real services."""

import hashlib
import hmac
import json
import secrets
import threading
from dataclasses import dataclass, field
from datetime import UTC, datetime
from decimal import Decimal
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl

import pytest
import time_machine
from django.utils import timezone

from carts.services import add_to_cart
from carts.services.checkout import checkout
from catalog.tests.factories import make_offering
from households.tests.factories import make_household
from orders.models import Order
from organizations.tests.factories import make_organization
from payments.models import PaymentSession
from payments.services import start_online_payment

T0 = datetime(2026, 3, 2, 14, 0, tzinfo=UTC)
STRIPE_SECRET_KEY = "sk_test_registrar"
STRIPE_WEBHOOK_SECRET = "whsec_test_registrar"
SANDBOX_WEBHOOK_SECRET = "sandbox-test-secret"


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    # Households come with a login; the real hasher costs about a second per test here.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def clock():
    """Time stands still at T0 unless the test moves it (X4)."""
    with time_machine.travel(T0, tick=False) as traveller:
        yield traveller


@dataclass
class FakeStripe:
    """What the fake API received, and a switch to make it fail."""

    url: str
    requests: list[dict] = field(default_factory=list)
    fail_with: int | None = None


@pytest.fixture
def fake_stripe(settings):
    """A local HTTP server answering POST /v1/checkout/sessions as Stripe does, with the SDK
    pointed at it through STRIPE_API_BASE."""
    state = FakeStripe(url="")
    counter = iter(range(1, 1_000_000))

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            form = dict(parse_qsl(self.rfile.read(length).decode()))
            state.requests.append({"path": self.path, "headers": dict(self.headers), "form": form})
            if state.fail_with is not None:
                self._reply(state.fail_with, {"error": {"type": "api_error", "message": "fake failure"}})
            elif self.path == "/v1/checkout/sessions":
                n = next(counter)
                self._reply(
                    200,
                    {
                        "id": f"cs_test_{n}",
                        "object": "checkout.session",
                        "url": f"https://checkout.stripe.test/c/pay/cs_test_{n}",
                        "mode": form.get("mode"),
                        "amount_total": int(form["line_items[0][price_data][unit_amount]"]),
                        "currency": form["line_items[0][price_data][currency]"],
                        "client_reference_id": form.get("client_reference_id"),
                        "metadata": {"payment_session": form.get("metadata[payment_session]")},
                        "payment_status": "unpaid",
                        "status": "open",
                    },
                )
            else:
                self._reply(404, {"error": {"type": "invalid_request_error", "message": "no such path"}})

        def _reply(self, status, payload):
            body = json.dumps(payload).encode()
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.send_header("Request-Id", "req_fake")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format, *args):  # quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    state.url = f"http://127.0.0.1:{server.server_address[1]}"
    settings.STRIPE_API_BASE = state.url
    settings.STRIPE_SECRET_KEY = STRIPE_SECRET_KEY
    settings.STRIPE_WEBHOOK_SECRET = STRIPE_WEBHOOK_SECRET
    yield state
    server.shutdown()
    server.server_close()
    thread.join(timeout=5)


def hmac_signature(secret: str, timestamp: int, body: bytes) -> str:
    """Stripe's scheme, written out here independently of the code under test."""
    digest = hmac.new(secret.encode(), f"{timestamp}.".encode() + body, hashlib.sha256).hexdigest()
    return f"t={timestamp},v1={digest}"


class Signer:
    """Builds and delivers one provider's webhooks for a PaymentSession."""

    provider: str
    header: str
    secret: str

    def __init__(self, client):
        self.client = client

    def deliver(self, body: bytes, *, timestamp: int | None = None, signature: str | None = None):
        if signature is None:
            ts = int(timezone.now().timestamp()) if timestamp is None else timestamp
            signature = hmac_signature(self.secret, ts, body)
        return self.client.post(
            f"/api/v1/payments/webhooks/{self.provider}",
            data=body,
            content_type="application/json",
            headers={self.header: signature},
        )

    @staticmethod
    def event_id() -> str:
        return f"evt_{secrets.token_hex(8)}"


class StripeSigner(Signer):
    provider, header, secret = "stripe", "Stripe-Signature", STRIPE_WEBHOOK_SECRET

    def _event(self, event_type: str, session: PaymentSession, event_id: str | None, **fields) -> bytes:
        obj = {
            "id": session.provider_session_id,
            "object": "checkout.session",
            "client_reference_id": str(session.pk),
            "metadata": {"payment_session": str(session.pk)},
            "currency": session.currency.lower(),
            **fields,
        }
        event = {"id": event_id or self.event_id(), "object": "event", "type": event_type, "data": {"object": obj}}
        return json.dumps(event).encode()

    def paid(self, session, *, event_id=None, payment_ref="pi_test_1", cents=None) -> bytes:
        cents = int(session.amount * 100) if cents is None else cents
        return self._event(
            "checkout.session.completed",
            session,
            event_id,
            payment_status="paid",
            status="complete",
            amount_total=cents,
            payment_intent=payment_ref,
        )

    def declined(self, session, *, event_id=None) -> bytes:
        return self._event("checkout.session.async_payment_failed", session, event_id, payment_status="unpaid")

    def abandoned(self, session, *, event_id=None) -> bytes:
        return self._event("checkout.session.expired", session, event_id, payment_status="unpaid", status="expired")


class SandboxSigner(Signer):
    provider, header, secret = "sandbox", "Sandbox-Signature", SANDBOX_WEBHOOK_SECRET

    def _event(self, event_type: str, session: PaymentSession, event_id: str | None, **data) -> bytes:
        event = {
            "id": event_id or self.event_id(),
            "type": event_type,
            "data": {"session": session.provider_session_id, "currency": session.currency, **data},
        }
        return json.dumps(event).encode()

    def paid(self, session, *, event_id=None, payment_ref="pay_sbx_1", cents=None) -> bytes:
        amount = session.amount if cents is None else Decimal(cents).scaleb(-2)
        return self._event("payment.succeeded", session, event_id, payment=payment_ref, amount=str(amount))

    def declined(self, session, *, event_id=None) -> bytes:
        return self._event("payment.declined", session, event_id, amount=str(session.amount))

    def abandoned(self, session, *, event_id=None) -> bytes:
        return self._event("payment.abandoned", session, event_id, amount=str(session.amount))


@pytest.fixture(params=["stripe", "sandbox"])
def provider_name(request):
    return request.param


@pytest.fixture
def signer(provider_name, client, settings, fake_stripe):
    settings.SANDBOX_WEBHOOK_SECRET = SANDBOX_WEBHOOK_SECRET
    return {"stripe": StripeSigner, "sandbox": SandboxSigner}[provider_name](client)


@dataclass
class Unpaid:
    order: Order
    session: PaymentSession


def unpaid_order(*, provider: str, price: str = "50.00") -> Unpaid:
    """An organization on `provider`, a household that checked out one class through the
    portal, and the payment session it was sent to pay, all through the real services."""
    organization = make_organization(payment_provider=provider, admin_email="office@parks.test")
    household = make_household(organization)
    offering = make_offering(organization, capacity=5, price=price)
    add_to_cart(
        household=household,
        offering_id=offering.pk,
        participant_id=household.participants.first().pk,
        channel="portal",
    )
    result = checkout(household=household, channel="portal")
    session = start_online_payment(
        household=household, plan=list(result.payment_plan), return_url="http://testserver/orders"
    )
    return Unpaid(order=result.order, session=session)


@pytest.fixture
def unpaid(db, clock, provider_name, signer):
    return unpaid_order(provider=provider_name)

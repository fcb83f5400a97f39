from abc import ABC, abstractmethod
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from typing import Any, Literal

from payments.models import PaymentSession

Outcome = Literal["paid", "declined", "abandoned", "ignored"]


@dataclass(frozen=True)
class ProviderEvent:
    """A verified webhook, reduced to what Registrar acts on."""

    event_id: str  # unique per event at the provider: duplicates share it
    event_type: str
    outcome: Outcome
    signature: str  # the delivery's signature: the same one twice is a replay
    provider_session_id: str = ""
    payment_ref: str = ""  # the provider's id for the money, unique per payment
    amount: Decimal | None = None
    payload: dict[str, Any] = field(default_factory=dict)


class PaymentProvider(ABC):
    name: str
    supports_refunds: bool = False

    def refund(self, payment: Any, amount: Decimal) -> str:
        """Give `amount` of `payment` back to the payer; returns the provider's refund id.
        Only providers with `supports_refunds` implement it (B6)."""
        raise NotImplementedError(f"{self.name} does not refund through Registrar")

    @abstractmethod
    def create_checkout(self, session: PaymentSession, *, return_url: str) -> tuple[str, str]:
        """Open a hosted payment page for `session`: returns (provider_session_id, redirect_url)."""

    @abstractmethod
    def parse_webhook(self, *, body: bytes, headers: Mapping[str, str], now: datetime) -> ProviderEvent:
        """Verify the signature and freshness of a webhook and parse it. Raises
        payments.errors.InvalidWebhook for a bad signature, a stale timestamp or a bad body."""


# The providers by name, filled by @register as each provider module is imported.
REGISTRY: dict[str, type[PaymentProvider]] = {}


def register(cls: type[PaymentProvider]) -> type[PaymentProvider]:
    REGISTRY[cls.name] = cls
    return cls

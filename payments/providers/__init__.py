"""Payment providers. Each turns a PaymentSession into a page where the customer pays, and
turns the provider's signed webhook into a ProviderEvent. Everything else (recording,
splitting, idempotency, late payments) is the same for all of them: payments.services."""

from payments.errors import UnknownProvider
from payments.providers.base import REGISTRY, PaymentProvider, ProviderEvent, register


def get_provider(name: str) -> PaymentProvider:
    _load()
    if name not in REGISTRY:
        raise UnknownProvider
    return REGISTRY[name]()


def _load() -> None:
    # Imported for their @register side effect, on first use: start-up need not load the stripe
    # library. Each registers itself in base.REGISTRY and never imports this package back.
    import payments.providers.sandbox
    import payments.providers.stripe_provider  # noqa: F401


__all__ = ["PaymentProvider", "ProviderEvent", "get_provider", "register"]

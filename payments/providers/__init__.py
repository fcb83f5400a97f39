"""Payment providers. Each turns a PaymentSession into a page where the customer pays, and
turns the provider's signed webhook into a ProviderEvent. Everything else (recording,
splitting, idempotency, late payments) is the same for all of them: payments.services."""

from payments.errors import UnknownProvider
from payments.providers.base import PaymentProvider, ProviderEvent

_REGISTRY: dict[str, type[PaymentProvider]] = {}


def register(cls: type[PaymentProvider]) -> type[PaymentProvider]:
    _REGISTRY[cls.name] = cls
    return cls


def get_provider(name: str) -> PaymentProvider:
    _load()
    if name not in _REGISTRY:
        raise UnknownProvider
    return _REGISTRY[name]()


def _load() -> None:
    # Import for their @register side effect; each module only defines its provider class.
    import importlib

    for module in ("sandbox", "stripe_provider"):
        try:
            importlib.import_module(f"payments.providers.{module}")
        except ModuleNotFoundError as exc:
            if exc.name != f"payments.providers.{module}":
                raise


__all__ = ["PaymentProvider", "ProviderEvent", "get_provider", "register"]

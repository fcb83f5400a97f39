from core.errors import DomainError


class InvalidPayment(DomainError):
    code = "invalid_payment"
    kind = "invalid"


class InvalidWebhook(DomainError):
    """Bad signature, stale timestamp, replay or malformed body: refused, nothing changes."""

    code = "invalid_webhook"
    kind = "invalid"


class UnknownProvider(DomainError):
    code = "unknown_provider"
    kind = "not_found"
    default_message = "No such payment provider."


class PaymentsNotEnabled(DomainError):
    code = "online_payment_unavailable"
    kind = "conflict"
    default_message = "This organization does not take payments online; please pay at the office."


class NothingToPay(DomainError):
    code = "nothing_to_pay"
    kind = "conflict"
    default_message = "There is no balance to pay."


class ProviderUnavailable(DomainError):
    code = "payment_provider_unavailable"
    kind = "busy"
    default_message = (
        "The payment provider could not be reached. Your registration is saved; "
        "please try paying again in a moment from your orders."
    )


class PaymentNotFound(DomainError):
    """Unknown payment, or another household's: the same answer (X1)."""

    code = "payment_not_found"
    kind = "not_found"
    default_message = "No such payment."


class ReferenceUsed(DomainError):
    code = "reference_used"
    kind = "conflict"
    default_message = "This reference was already recorded for another order."

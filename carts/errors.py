from core.errors import DomainError


class CartExpired(DomainError):
    code = "cart_expired"
    kind = "conflict"
    default_message = "Your cart timed out and its items were released. Please add them again."


class CartEmpty(DomainError):
    code = "cart_empty"
    kind = "conflict"
    default_message = "Your cart is empty."


class ItemNotFound(DomainError):
    code = "item_not_found"
    kind = "not_found"
    default_message = "No such item in this cart."


class ParticipantNotFound(DomainError):
    code = "participant_not_found"
    kind = "not_found"
    default_message = "No such participant in this household."


class ParticipantRequired(DomainError):
    code = "participant_required"
    kind = "invalid"


class InvalidItem(DomainError):
    code = "invalid_item"
    kind = "invalid"


class RegistrationNotOpen(DomainError):
    code = "registration_not_open"
    kind = "conflict"


class RegistrationClosed(DomainError):
    code = "registration_closed"
    kind = "conflict"


class AgeIneligible(DomainError):
    code = "age_ineligible"
    kind = "conflict"


class RentalUnavailable(DomainError):
    code = "rental_not_available"
    kind = "conflict"
    default_message = "That facility time is not offered as rentable slots."


class RentalStarted(DomainError):
    """A booking (a cart's rental or a request) of time that has already started."""

    code = "rental_started"
    kind = "conflict"
    default_message = "That time has already started: choose a rental time later than now."


class ApprovalRequired(DomainError):
    """S6: this facility's time is asked for as a request that staff approve, not held in a cart."""

    code = "approval_required"
    kind = "conflict"
    default_message = (
        "This facility needs the office's approval: send a rental request "
        "(the rental-requests endpoint) instead of adding it to the cart."
    )


class OverrideNotAllowed(DomainError):
    code = "override_not_allowed"
    kind = "forbidden"
    default_message = "Only staff with the 'enroll beyond capacity' permission may override capacity, with a reason."


class OverrideReasonTooLong(DomainError):
    """A reason to exceed capacity longer than is kept: refused whole, never cut short unsaid."""

    code = "override_reason_too_long"
    kind = "invalid"
    default_message = "The reason to exceed capacity may be at most 500 characters."


class BalanceNotPayable(DomainError):
    code = "balance_not_payable"
    kind = "conflict"
    default_message = "That order has no balance you can pay online."


class AlreadyInCart(DomainError):
    code = "already_in_cart"
    kind = "conflict"
    default_message = "That balance is already in your cart."


class CustomerCartOpen(DomainError):
    """S3: staff tried to add to a cart the customer started and nobody in the office took over."""

    code = "customer_cart_open"
    kind = "conflict"
    default_message = (
        "This household has already started a registration in the portal. Open that cart and take it over "
        "to add or remove items, or check it out for them."
    )


class CartHeldByOffice(DomainError):
    """S3: the office is completing this cart; the customer cannot add to it meanwhile."""

    code = "cart_held_by_office"
    kind = "conflict"
    default_message = (
        "The office is completing this registration with you. Call them to add to it or to finish it; you can "
        "still take items out, or empty your cart to start again."
    )


class NothingToTakeOver(DomainError):
    code = "nothing_to_take_over"
    kind = "conflict"
    default_message = "This household has no open cart with items in it to take over."


class CartAtTimeLimit(DomainError):
    """H1: the cart's timer already ends at its hard limit (T3): extending gains nothing."""

    code = "cart_at_time_limit"
    kind = "conflict"


class CheckoutNeedsApproval(DomainError):
    """X6: an online order with more places to pay than the organization allows waits for the
    office, which checks the cart out for the household (S3) once it agrees."""

    code = "checkout_needs_approval"
    kind = "conflict"

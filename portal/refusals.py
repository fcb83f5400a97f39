"""A refusal in the words a family reads (issue 12 item 3, issue 15 item 5): an add's with who,
what and why, the opening instant in the organization's time zone; the fair-share limits'
(X6) with their numbers, translated. Every refusal code is in one of three lists, so that a new
code cannot be missed (portal/tests/test_refusal_words.py): worded here (`WORDS`, or
`refusal_words` for an add's own), worded for families by the service itself (`SERVICE_WORDS`),
or never met by a family in the portal (`OFFICE_ONLY`)."""

from collections.abc import Callable, Mapping
from datetime import date
from typing import Any

from django.utils.dateformat import format as format_date
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from capacity.errors import AlreadyClaimed, CapacityShortfall
from carts.errors import AgeIneligible, RegistrationClosed, RegistrationNotOpen
from catalog.models import Offering
from core.errors import DomainError
from households.models import Participant
from notifications.templatetags.notification_format import format_instant
from organizations.models import Organization
from ui.templatetags.ui import FULL_FORMAT


def _when(value: object, organization: Organization) -> str:
    return format_instant(value, zone=organization.zone, fmt=str(FULL_FORMAT))  # type: ignore[arg-type]


def _age_words(error: DomainError, names: dict[str, str]) -> str:
    """E1: who is what age on the day ages are counted, in the organization's words and dates."""
    d = error.details
    if d.get("counted_on") is None:
        return _("%(who)s cannot register for %(what)s: %(why)s") % (names | {"why": str(error)})
    low, high = d.get("min_age"), d.get("max_age")
    if low is not None and high is not None:
        ages = _("ages %(low)s to %(high)s") % {"low": low, "high": high}
    elif low is not None:
        ages = _("ages %(low)s and up") % {"low": low}
    else:
        ages = _("ages up to %(high)s") % {"high": high}
    age = int(d["age"])
    years = _("under 1") if age < 1 else str(age)
    sentence = {
        "future": _(
            "%(who)s cannot register for %(what)s: it is for %(ages)s, and %(who)s will be %(years)s on %(day)s, the day ages are counted."
        ),
        "present": _(
            "%(who)s cannot register for %(what)s: it is for %(ages)s, and %(who)s is %(years)s today, the day ages are counted."
        ),
        "past": _(
            "%(who)s cannot register for %(what)s: it is for %(ages)s, and %(who)s was %(years)s on %(day)s, the day ages are counted."
        ),
    }[str(d.get("tense", "present"))]
    day = format_date(date.fromisoformat(str(d["counted_on"])), "j F Y")
    return sentence % (names | {"ages": ages, "years": years, "day": day})


def _details(error: DomainError) -> Mapping[str, Any]:
    return error.details


# code -> the family's words, from the refusal's details (the numbers the service put in them).
WORDS: dict[str, Callable[[Mapping[str, Any]], str]] = {
    "household_unpaid_limit": lambda d: (
        ngettext(
            "Your household already holds %(unpaid)s place without payment (in the cart and in unpaid "
            "registrations), and may hold at most %(limit)s at once. Check out and pay, or remove some, to add more.",
            "Your household already holds %(unpaid)s places without payment (in the cart and in unpaid "
            "registrations), and may hold at most %(limit)s at once. Check out and pay, or remove some, to add more.",
            int(d.get("unpaid", 0)),
        )
        % {"unpaid": d.get("unpaid", 0), "limit": d.get("limit", "")}
    ),
    "household_offering_limit": lambda d: (
        _("Your household already has the most places a household may have in this class (%(limit)s).")
        % {"limit": d.get("limit", "")}
    ),
    "fair_share_exceeded": lambda d: _("Your household already holds as many places as a household may."),
    "too_many_adds": lambda d: (
        _("You are adding very fast: at most %(limit)s adds a minute. Try again in %(wait)s seconds.")
        % {"limit": d.get("limit", ""), "wait": d.get("retry_after", 60)}
    ),
    "participant_daily_limit": lambda d: (
        _("A household may add at most %(limit)s people a day online. Try again later, or ask the office to add them.")
        % {"limit": d.get("limit", "")}
    ),
    "checkout_needs_approval": lambda d: (
        _(
            "This order has %(places)s places to pay; an order of more than %(limit)s needs the office's approval. "
            "Remove some places, or ask the office to complete this order for you."
        )
        % {"places": d.get("places", ""), "limit": d.get("limit", "")}
    ),
}

# Worded for families by the service that refuses (its message, or its form field's).
SERVICE_WORDS = frozenset(
    {
        "absence_reason_not_available", "already_in_cart", "approval_required", "approval_not_required",
        "balance_not_payable", "busy", "cart_at_time_limit", "cart_empty", "cart_expired", "cart_held_by_office",
        "email_taken", "household_exists", "invalid_absence_reason", "invalid_attendance", "invalid_credentials",
        "invalid_item", "invalid_participant", "invalid_signup", "invalid_text", "invalid_verification_link",
        "item_not_found", "meeting_not_found", "meeting_started", "nothing_to_pay", "offering_not_found",
        "online_payment_unavailable", "order_not_found", "participant_exists", "participant_not_found",
        "participant_required", "payment_provider_unavailable", "recorded_by_instructor", "rental_not_available",
        "rental_request_decided", "rental_request_lapsed", "rental_request_not_found", "rental_started",
        "token_not_found",
        "too_many_sign_in_attempts",
    }
)  # fmt: skip

# Refusals of the office, the API's staff operations and the providers' webhooks only.
OFFICE_ONLY = frozenset(
    {
        "capacity_below_taken", "catalog_item_not_found", "customer_cart_open", "group_busy", "group_does_not_fit",
        "household_not_found", "import_not_found", "import_not_runnable", "invalid_capacity",
        "invalid_catalog_item", "invalid_household", "invalid_import", "invalid_payment", "invalid_settings",
        "invalid_webhook", "lockout_not_found", "nothing_to_take_over", "notification_not_found",
        "offering_already_cancelled", "organization_not_found", "outbox_action_refused", "override_not_allowed",
        "override_reason_too_long",
        "payment_not_found", "permission_denied", "reference_used", "registration_not_deleted",
        "registration_not_found", "staff_change_refused", "staff_member_not_found", "unknown_provider",
    }
)  # fmt: skip

# An add's own refusals, worded with who and what by `refusal_words`.
ADD_WORDS = frozenset(
    {"offering_full", "already_enrolled", "age_ineligible", "registration_not_open", "registration_closed"}
)


def plain_words(error: DomainError) -> str:
    """Any refusal as a family reads it: the portal's translated words where it has them."""
    words = WORDS.get(error.code)
    return words(_details(error)) if words else str(error)


def refusal_words(
    error: DomainError, *, offering: Offering, participant: Participant, organization: Organization
) -> str:
    names = {"who": participant.full_name, "what": offering.name}
    if isinstance(error, CapacityShortfall):
        if error.details.get("held_in_carts"):
            held = int(error.details["held_in_carts"])
            return ngettext(
                "%(what)s is full, but %(held)s place is held in another cart and may come back "
                "if it is not checked out. Try again in a few minutes.",
                "%(what)s is full, but %(held)s places are held in other carts and may come back "
                "if they are not checked out. Try again in a few minutes.",
                held,
            ) % {"what": offering.name, "held": held}
        return _("%(what)s is full.") % names
    if isinstance(error, AlreadyClaimed):
        return _("%(who)s is already in a cart or registered for %(what)s.") % names
    if isinstance(error, AgeIneligible):
        return _age_words(error, names)
    if isinstance(error, RegistrationNotOpen):
        return _("Registration for %(what)s opens %(when)s.") % {
            "what": offering.name,
            "when": _when(offering.registration_opens_at, organization),
        }
    if isinstance(error, RegistrationClosed):
        return _("Registration for %(what)s closed %(when)s.") % {
            "what": offering.name,
            "when": _when(offering.registration_closes_at, organization),
        }
    if error.code == "household_offering_limit":
        return _("Your household already has the most places a household may have in %(what)s (%(limit)s).") % {
            "what": offering.name,
            "limit": error.details.get("limit", ""),
        }
    return plain_words(error)

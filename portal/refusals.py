"""An add's refusal in the words a family reads (issue 12, item 3): who, what, and why; the
opening instant in the organization's time zone."""

from django.utils.translation import gettext as _

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


def refusal_words(
    error: DomainError, *, offering: Offering, participant: Participant, organization: Organization
) -> str:
    names = {"who": participant.full_name, "what": offering.name}
    if isinstance(error, CapacityShortfall):
        if error.details.get("held_in_carts"):
            return _(
                "%(what)s is full, but %(held)s place(s) are held in other carts and may come back "
                "if they are not checked out. Try again in a few minutes."
            ) % {"what": offering.name, "held": error.details["held_in_carts"]}
        return _("%(what)s is full.") % names
    if isinstance(error, AlreadyClaimed):
        return _("%(who)s is already in a cart or registered for %(what)s.") % names
    if isinstance(error, AgeIneligible):
        return _("%(who)s cannot register for %(what)s: %(why)s") % (names | {"why": str(error)})
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
    return str(error)

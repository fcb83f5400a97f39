"""The audit trail in plain words (X2, D4): "Deleted a held seat in Swim 1 for Ana" instead of
`cart.hold_deleted`. One table of sentences, by verb; the names they need (offering, participant,
order, and the course of a registration, a meeting or a place) are read for a whole page of events
at once, in at most seven queries however many events there are. What an event is about is said by name
too (`about`: "Swim 1: Ana Lee", "Order R0000002"). A verb without a sentence still says
something readable (its words, spaced)."""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime, tzinfo
from decimal import Decimal, InvalidOperation

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AuditEvent
from capacity.models import Claim
from catalog.models import Meeting, Offering
from households.models import Household, Participant
from notifications.templatetags.notification_format import format_money
from orders.models import Order
from registrations.models import Registration
from ui.templatetags.ui import instant

L = gettext_lazy
SENTENCES: dict[str, Promise] = {
    "cart.item_added": L("Held a seat in %(offering)s for %(participant)s"),
    "cart.hold_deleted": L("Deleted a held seat in %(offering)s for %(participant)s"),
    "cart.hold_released": L("Took %(offering)s for %(participant)s out of the cart"),
    "cart.item_removed": L("Took %(offering)s for %(participant)s out of the cart"),
    "cart.emptied": L("Emptied the cart"),
    "cart.deleted": L("Deleted the whole cart"),
    "cart.expired": L("The cart timed out and its held seats were released"),
    "cart.taken_over": L("Took over the cart for the family"),
    "cart.extended": L("Gave the cart more time"),
    "cart.retimed": L("Changed the cart's timer"),
    "cart.balance_added": L("Put the balance of order %(order)s in the cart"),
    "cart.balance_removed": L("Took the balance of order %(order)s out of the cart"),
    "cart.checked_out": L("Checked out the cart"),
    "order.created": L("Placed order %(order)s"),
    "order.put_on_account": L("Put order %(order)s on account"),
    "order.pay_link_sent": L("Emailed a link to pay order %(order)s"),
    "registration.tentative": L("Registered %(participant)s in %(offering)s, payment outstanding"),
    "registration.confirmed": L("Confirmed %(participant)s in %(offering)s"),
    "registration.deleted": L("Deleted the registration of %(participant)s in %(offering)s"),
    "registration.restored": L("Restored the registration of %(participant)s in %(offering)s"),
    "payment.recorded": L("Recorded a payment of %(amount)s"),
    "payment.requested": L("Asked for an online payment of %(amount)s"),
    "payment.succeeded": L("An online payment succeeded"),
    "payment.declined": L("An online payment was declined"),
    "payment.abandoned": L("An online payment was abandoned"),
    "refund.recorded": L("Refunded %(amount)s of credit"),
    "household.created": L("Created the household"),
    "household.signed_up": L("Signed up in the portal"),
    "household.email_verified": L("Confirmed the email address"),
    "household.participant_added": L("Added %(participant)s to the household"),
    "household.participant_changed": L("Changed the details of %(participant)s"),
    "household.note_added": L("Added a note"),
    "household.calendar_feed_reset": L("Made a new calendar link"),
    "attendance.absence_marked": L("Marked %(participant)s absent from %(offering)s"),
    "offering.group_enrolled": L("Enrolled a group in %(offering)s"),
    "offering.group_enroll_undone": L("Undid a group enroll in %(offering)s"),
    "rental_request.created": L("Asked for facility time"),
    "rental_request.withdrawn": L("Withdrew a request for facility time"),
    "rental_request.approved": L("Approved a request for facility time"),
    "rental_request.declined": L("Declined a request for facility time"),
    "claim.rental_requested": L("Held facility time for a rental request"),
    "attendance.recorded": L("Recorded the attendance of %(participant)s in %(offering)s"),
    "attendance.cleared": L("Cleared the absence of %(participant)s from %(offering)s"),
    "absence_reason.added": L("Added an absence reason"),
    "absence_reason.changed": L("Changed an absence reason"),
    "offering.created": L("Created %(offering)s"),
    "offering.changed": L("Changed the details of %(offering)s"),
    "offering.schedule_set": L("Set the weekly schedule of %(offering)s"),
    "offering.capacity_changed": L("Changed the capacity of %(offering)s"),
    "offering.cancelled": L("Cancelled %(offering)s"),
    "offering.instructor_assigned": L("Assigned an instructor to %(offering)s"),
    "offering.instructor_removed": L("Took an instructor off %(offering)s"),
    "program.saved": L("Saved a program"),
    "program.season_copied": L("Copied a season forward"),
    "facility.saved": L("Saved a facility"),
    "facility.hours_set": L("Set a facility's bookable hours"),
    "facility.slots_made": L("Made rental slots for a facility"),
    "closure.set": L("Changed the closures and holidays"),
    "organization.settings_changed": L("Changed the settings"),
    "notification.retried": L("Sent an email again"),
    "notification.cancelled": L("Cancelled an email"),
    "alert.resolved": L("Resolved a staff alert"),
    "account.lockout_lifted": L("Lifted a sign-in lock-out"),
    "staff.changed": L("Changed a staff member's permissions"),
    "refund.requested": L("Asked the payment provider to refund %(amount)s"),
    "import.offerings_row_created": L("Imported a new offering"),
    "import.offerings_row_changed": L("Changed an offering by import"),
    "import.offerings_row_refused": L("Refused a row of an offerings import"),
    "import.households_row_created": L("Imported a new household"),
    "import.households_row_changed": L("Changed a household by import"),
    "import.households_row_refused": L("Refused a row of a households import"),
}
# What an event is about, for a subject without a name of its own: "Order" + its number.
SUBJECT_WORDS: dict[str, Promise] = {
    "absence_reason": L("Absence reason"),
    "alert": L("Staff alert"),
    "attendance": L("Attendance"),
    "cart": L("Cart"),
    "claim": L("Place"),
    "facility": L("Facility"),
    "household": L("Household"),
    "household_note": L("Note"),
    "import": L("Import"),
    "notification": L("Email"),
    "offering": L("Offering"),
    "order": L("Order"),
    "organization": L("The organization"),
    "participant": L("Participant"),
    "payment": L("Payment"),
    "payment_session": L("Online payment"),
    "program": L("Program"),
    "refund": L("Refund"),
    "registration": L("Registration"),
    "rental_request": L("Rental request"),
    "user": L("Staff member"),
}


@dataclass(frozen=True)
class Names:
    offerings: dict[int, str]
    participants: dict[int, str]
    orders: dict[int, str]
    registration_participants: dict[int, int]
    registration_offerings: dict[int, int]
    meeting_offerings: dict[int, int]
    claims: dict[int, tuple[int, int | None]]  # a place: its offering and participant
    households: dict[int, str]  # for what concerns a household and no participant (a rental)


def _ids(events: Sequence[AuditEvent], key: str) -> set[int]:
    found = {e.data.get(key) for e in events if isinstance(e.data, dict)}
    found |= {e.subject_id for e in events if e.subject_type == key}
    return {i for i in found if isinstance(i, int)}


def _names(events: Sequence[AuditEvent]) -> Names:
    registrations = list(
        Registration.objects.filter(pk__in=_ids(events, "registration")).values_list(
            "pk", "participant_id", "offering_id"
        )
    )
    meetings = dict(Meeting.objects.filter(pk__in=_ids(events, "meeting")).values_list("pk", "offering_id"))
    claims: dict[int, tuple[int, int | None]] = {
        pk: (offering, participant)
        for pk, offering, participant in Claim.objects.filter(pk__in=_ids(events, "claim")).values_list(
            "pk", "offering_id", "participant_id"
        )
    }
    participant_ids = _ids(events, "participant") | {p for _pk, p, _o in registrations if p is not None}
    participant_ids |= {p for _o, p in claims.values() if p is not None}
    offering_ids = _ids(events, "offering") | {o for _pk, _p, o in registrations} | set(meetings.values())
    offering_ids |= {o for o, _p in claims.values()}
    return Names(
        offerings=dict(Offering.objects.filter(pk__in=offering_ids).values_list("pk", "name")),
        participants={p.pk: p.full_name for p in Participant.objects.filter(pk__in=participant_ids)},
        orders={o.pk: o.number for o in Order.objects.filter(pk__in=_ids(events, "order")).only("pk", "sequence")},
        registration_participants={pk: p for pk, p, _o in registrations if p is not None},
        registration_offerings={pk: o for pk, _p, o in registrations},
        meeting_offerings=meetings,
        claims=claims,
        households=dict(
            Household.objects.filter(pk__in={e.household_id for e in events if e.household_id}).values_list(
                "pk", "name"
            )
        ),
    )


def _lookup(event: AuditEvent, key: str) -> int | None:
    value = event.data.get(key) if isinstance(event.data, dict) else None
    if isinstance(value, int):
        return value
    return event.subject_id if event.subject_type == key else None


def fallback(verb: str) -> str:
    """A verb without a sentence, readable: "lockout.lifted" -> "Lockout: lifted"."""
    thing, _dot, action = verb.partition(".")
    words = action.replace("_", " ") if action else ""
    return f"{thing.replace('_', ' ').capitalize()}: {words}" if words else thing.replace("_", " ").capitalize()


def _known(event: AuditEvent, names: Names) -> tuple[int | None, int | None]:
    """The event's participant and offering, from its data or subject, else through its
    registration or meeting."""
    participant, offering = _lookup(event, "participant"), _lookup(event, "offering")
    registration, meeting = _lookup(event, "registration"), _lookup(event, "meeting")
    if participant is None and registration is not None:
        participant = names.registration_participants.get(registration)
    if offering is None and registration is not None:
        offering = names.registration_offerings.get(registration)
    if offering is None and meeting is not None:
        offering = names.meeting_offerings.get(meeting)
    claimed = names.claims.get(_lookup(event, "claim") or 0)
    if claimed is not None:
        offering = offering if offering is not None else claimed[0]
        participant = participant if participant is not None else claimed[1]
    return participant, offering


def sentence(event: AuditEvent, names: Names) -> str:
    template = SENTENCES.get(event.verb)
    if template is None:
        return fallback(event.verb)
    participant, offering = _known(event, names)
    data = event.data if isinstance(event.data, dict) else {}
    values = {
        "offering": names.offerings.get(offering or 0, _("an offering")),
        "participant": names.participants.get(
            participant or 0, names.households.get(event.household_id or 0, _("the household"))
        ),
        "order": names.orders.get(_lookup(event, "order") or 0, _("(unknown)")),
        "amount": _money(data.get("amount") or data.get("balance") or data.get("total") or ""),
    }
    return str(template) % values


def _money(value: object) -> str:
    """An amount as recorded ("278.00") in money words ("$278.00"); anything else as it is."""
    try:
        return format_money(Decimal(str(value)))
    except (InvalidOperation, ValueError):
        return str(value)


def details(data: object, zone: tzinfo | None = None) -> str:
    """An event's data as words: "before: none; after: (reason: Sick, status: absent)"; an instant
    ("expires_at": "2026-12-08T23:15:00+00:00") on the clock of `zone` (the organization's), in its
    locale, as every other office page shows one: "Tuesday 8 December 2026, 6:15 p.m. EST"."""
    if isinstance(data, dict):
        return "; ".join(f"{str(key).replace('_', ' ')}: {_value(value, zone)}" for key, value in _in_order(data))
    return _value(data, zone)


def _in_order(data: dict[str, object]) -> list[tuple[str, object]]:
    """Before, then after, then the rest by name: the same order on both databases
    (PostgreSQL's jsonb keeps keys by length, not in the order they were written)."""
    rank = {"before": 0, "after": 1}
    return sorted(((str(k), v) for k, v in data.items()), key=lambda item: (rank.get(item[0], 2), item[0]))


INSTANT = re.compile(r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}")


def _value(value: object, zone: tzinfo | None = None) -> str:
    if value is None or value == [] or value == {}:
        return _("none")
    if isinstance(value, dict):
        return "(" + ", ".join(f"{k.replace('_', ' ')}: {_value(v, zone)}" for k, v in _in_order(value)) + ")"
    if isinstance(value, list):
        return ", ".join(_value(item, zone) for item in value)
    if zone is not None and isinstance(value, str) and INSTANT.match(value):
        return _instant(value, zone)
    return str(value)


def _instant(value: str, zone: tzinfo) -> str:
    try:
        moment = datetime.fromisoformat(value)
    except ValueError:
        return value
    return instant(moment, zone) if moment.tzinfo is not None else value


def about(event: AuditEvent, names: Names) -> str:
    """What the event is about, by name: "Swim 1: Ana Lee", "Order R0000002", "Facility 3"."""
    participant, offering = _known(event, names)
    order = names.orders.get(_lookup(event, "order") or 0)
    named = [names.offerings.get(offering or 0), names.participants.get(participant or 0)]
    if event.subject_type == "order" and order:
        return _("Order %(number)s") % {"number": order}
    if any(named):
        return ": ".join(name for name in named if name)
    if order:
        return _("Order %(number)s") % {"number": order}
    if event.subject_type == "household" and event.household_id in names.households:
        return names.households[event.household_id]
    kind = SUBJECT_WORDS.get(event.subject_type)
    if kind is None:
        return f"{fallback(event.subject_type)} {event.subject_id or ''}".strip()
    if event.subject_type == "organization":
        return str(kind)
    return f"{kind} {event.subject_id or ''}".strip()


def describe_events(events: Iterable[AuditEvent]) -> list[tuple[AuditEvent, str]]:
    """Each event with what it did in words, the names read at once for all of them."""
    return [(event, what) for event, what, _about, _household in describe_with_subjects(events)]


def describe_with_subjects(events: Iterable[AuditEvent]) -> list[tuple[AuditEvent, str, str, str]]:
    """Each event with what it did, what it is about and its household's name, in words (the
    audit log's columns), the names read at once for all of them."""
    shown = list(events)
    names = _names(shown)
    return [(event, sentence(event, names), about(event, names), household_name(event, names)) for event in shown]


def household_name(event: AuditEvent, names: Names) -> str:
    """The event's household by name ("" without one; its number only if the name is gone)."""
    if not event.household_id:
        return ""
    return names.households.get(event.household_id, f"{_('Household')} {event.household_id}")


def verb_words(verb: str) -> str:
    """What a verb does, without any event's names: for the audit log's filter, whose value
    stays the verb ("cart.hold_deleted" -> "Deleted a held seat in an offering for a participant")."""
    template = SENTENCES.get(verb)
    if template is None:
        return fallback(verb)
    generic = {"offering": _("an offering"), "participant": _("a participant"), "order": "…", "amount": "…"}
    return str(template) % generic


def verb_options() -> list[tuple[str, str]]:
    """The filter's suggestions: each kind of thing ("cart." -> "Cart: everything"), then each
    verb with a sentence, the value the verb (or its start) the filter matches on."""
    kinds = sorted({verb.partition(".")[0] for verb in SENTENCES})
    everything = [(f"{kind}.", _("%(kind)s: everything") % {"kind": fallback(kind)}) for kind in kinds]
    return everything + [(verb, verb_words(verb)) for verb in sorted(SENTENCES)]

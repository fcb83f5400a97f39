"""The audit trail in plain words (X2, D4): "Deleted a held seat in Swim 1 for Ana" instead of
`cart.hold_deleted`. One table of sentences, by verb; the names they need (offering, participant,
order) are read for a whole page of events at once, in at most four queries however many events
there are. A verb without a sentence still says something readable (its words, spaced)."""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.utils.functional import Promise
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.models import AuditEvent
from catalog.models import Offering
from households.models import Participant
from orders.models import Order
from registrations.models import Registration

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
}


@dataclass(frozen=True)
class Names:
    offerings: dict[int, str]
    participants: dict[int, str]
    orders: dict[int, str]
    registration_participants: dict[int, int]


def _ids(events: Sequence[AuditEvent], key: str) -> set[int]:
    found = {e.data.get(key) for e in events if isinstance(e.data, dict)}
    found |= {e.subject_id for e in events if e.subject_type == key}
    return {i for i in found if isinstance(i, int)}


def _names(events: Sequence[AuditEvent]) -> Names:
    registrations: dict[int, int] = {
        pk: participant
        for pk, participant in Registration.objects.filter(pk__in=_ids(events, "registration")).values_list(
            "pk", "participant_id"
        )
        if participant is not None
    }
    participant_ids = _ids(events, "participant") | set(registrations.values())
    return Names(
        offerings=dict(Offering.objects.filter(pk__in=_ids(events, "offering")).values_list("pk", "name")),
        participants={p.pk: p.full_name for p in Participant.objects.filter(pk__in=participant_ids)},
        orders={o.pk: o.number for o in Order.objects.filter(pk__in=_ids(events, "order")).only("pk", "sequence")},
        registration_participants=registrations,
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


def sentence(event: AuditEvent, names: Names) -> str:
    template = SENTENCES.get(event.verb)
    if template is None:
        return fallback(event.verb)
    participant = _lookup(event, "participant")
    registration = _lookup(event, "registration")
    if participant is None and registration is not None:
        participant = names.registration_participants.get(registration)
    data = event.data if isinstance(event.data, dict) else {}
    values = {
        "offering": names.offerings.get(_lookup(event, "offering") or 0, _("an offering")),
        "participant": names.participants.get(participant or 0, _("the household")),
        "order": names.orders.get(_lookup(event, "order") or 0, _("(unknown)")),
        "amount": data.get("amount") or data.get("balance") or data.get("total") or "",
    }
    return str(template) % values


def describe_events(events: Iterable[AuditEvent]) -> list[tuple[AuditEvent, str]]:
    """Each event with what it did in words, the names read at once for all of them."""
    shown = list(events)
    names = _names(shown)
    return [(event, sentence(event, names)) for event in shown]


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

"""The office's Pending list of incomplete registrations (S7, P3): every live registration not
paid in full, filtered by its payment state in SQL (the same rule as `policies.payment_state`),
searched and sorted, for a page of 50 in a constant number of queries however many there are."""

from datetime import datetime

from django.db.models import Exists, F, OuterRef, Q, QuerySet
from django.db.models.functions import Coalesce

from households.models import Participant
from registrations.models import Registration
from registrations.policies import PENDING_WINDOW, PaymentState

SORTS = {
    "oldest": ("submitted_at", "pk"),
    "newest": ("-submitted_at", "-pk"),
    "household": ("household__name", "submitted_at", "pk"),
    "offering": ("offering__name", "submitted_at", "pk"),
}


def _state_q(state: str, now: datetime) -> Q:
    """P3 as a filter: what `policies.payment_state` would say, computed by the database."""
    unpaid = Q(order__amount_paid__lte=0)
    recent = Q(requested_at__gt=now - PENDING_WINDOW)
    if state == PaymentState.PARTIALLY_PAID:
        return Q(order__amount_paid__gt=0)
    if state == PaymentState.INCOMPLETE_OR_PENDING:
        return unpaid & recent
    if state == PaymentState.PAYMENT_INCOMPLETE:
        return unpaid & ~recent
    return Q()


def incomplete_registrations(
    *, organization_id: int, now: datetime, state: str = "", query: str = "", sort: str = "oldest"
) -> QuerySet[Registration]:
    """S7: live (not deleted) registrations whose order is not paid in full, with their order,
    offering, participant and household loaded; `state` one of P3's unpaid states, `query`
    words each found in the household's name or email, the participant's name or the
    offering's name. Paginate it: a page is one query, its count another."""
    registrations = (
        Registration.objects.filter(organization_id=organization_id, deleted_at__isnull=True)
        .filter(order__amount_paid__lt=F("order__total"))
        .annotate(requested_at=Coalesce("order__payment_requested_at", "submitted_at"))
        .select_related("order", "offering", "participant", "household")
    )
    if state:
        registrations = registrations.filter(_state_q(state, now))
    for word in query.split()[:6]:
        word = word[:100]
        participants = Participant.objects.filter(household_id=OuterRef("household_id")).filter(
            Q(first_name__icontains=word) | Q(last_name__icontains=word)
        )
        registrations = registrations.filter(
            Q(household__name__icontains=word)
            | Q(household__email__icontains=word)
            | Q(offering__name__icontains=word)
            | Q(Exists(participants))
        )
    return registrations.order_by(*SORTS.get(sort, SORTS["oldest"]))

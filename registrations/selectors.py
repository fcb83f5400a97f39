from collections import defaultdict
from dataclasses import dataclass
from datetime import datetime

from django.db.models import Prefetch, QuerySet

from catalog.models import Offering
from households.models import Household
from notifications.models import Notification
from orders.models import Order, OrderLine
from organizations.models import Organization
from registrations.models import Registration
from registrations.policies import (
    AUTO_DELETE_MAX_AGE,
    NOTICE_LATEST,
    GracePolicy,
    Notice,
    PaymentState,
    RegistrationFacts,
    deletion_due_at,
    payment_state,
)

# The oldest submission any rule can still act on (a notice up to 7 days, a deletion up to 240 hours).
HORIZON = max(AUTO_DELETE_MAX_AGE, NOTICE_LATEST)


def grace_policy(
    organization: Organization, *, grace_period_hours: int | None = None, offering: Offering | None = None
) -> GracePolicy:
    """The organization's policy, or the one it would have with another grace period (G6);
    for one offering's registrations, with the offering's own notice switch and recipient
    (seed 003: "the administrator of the event or class")."""
    notifications = organization.registration_notifications
    if offering is not None and offering.registration_notifications is not None:
        notifications = offering.registration_notifications
    return GracePolicy(
        grace_period_hours=organization.grace_period_hours if grace_period_hours is None else grace_period_hours,
        payment_window_minutes=organization.payment_window_minutes,
        admin_notifications=notifications,
        has_admin_email=bool(admin_recipient(organization, offering)),
    )


def admin_recipient(organization: Organization, offering: Offering | None) -> str:
    """Who gets the administrator's registration notices for this offering: its own
    recipient if it names one, else the organization's administrator email (N6)."""
    if offering is not None and offering.notification_email:
        return offering.notification_email
    return organization.admin_email


def facts_for(registration: Registration, notices_sent: frozenset[Notice] = frozenset()) -> RegistrationFacts:
    order = registration.order
    return RegistrationFacts(
        registration_id=registration.pk,
        submitted_at=registration.submitted_at,
        payment_requested_at=order.payment_requested_at,
        amount_due=order.total,
        amount_paid=order.amount_paid,
        payment_required=order.payment_required,
        is_deleted=registration.deleted_at is not None,
        notices_sent=notices_sent,
    )


def unpaid_registrations(*, organization_id: int, now: datetime) -> list[tuple[Registration, RegistrationFacts]]:
    """Registrations any grace or notice rule could act on at `now`: not deleted, payment
    required, nothing paid, something due, submitted within the horizon. Two queries; the
    first is served by the partial index `order_unpaid_idx`, so its cost follows what is
    unpaid and recent, not the size of the tables."""
    registrations = list(
        Registration.objects.filter(
            organization_id=organization_id,
            deleted_at__isnull=True,
            order__payment_required=True,
            order__amount_paid=0,
            order__total__gt=0,
            order__created_at__gte=now - HORIZON,
        )
        .select_related("order", "offering", "participant", "household")
        .order_by("submitted_at", "pk")
    )
    sent: dict[int, set[Notice]] = defaultdict(set)
    for registration_id, kind in Notification.objects.filter(
        registration_id__in=[r.pk for r in registrations], kind__in=list(Notice)
    ).values_list("registration_id", "kind"):
        sent[registration_id].add(Notice(kind))
    return [(r, facts_for(r, frozenset(sent[r.pk]))) for r in registrations]


@dataclass(frozen=True)
class PaymentStatus:
    """P3 as staff see it: the state, and when the grace policy will delete it, if it will."""

    state: PaymentState
    scheduled_for_deletion_at: datetime | None


def payment_status(registration: Registration, organization: Organization, now: datetime) -> PaymentStatus:
    facts = facts_for(registration)
    return PaymentStatus(
        state=payment_state(facts, now),
        scheduled_for_deletion_at=deletion_due_at(facts, grace_policy(organization, offering=registration.offering)),
    )


def organization_registrations(*, organization_id: int) -> QuerySet[Registration]:
    return Registration.objects.filter(organization_id=organization_id).select_related(
        "order", "offering", "participant", "household", "claim"
    )


def household_orders(*, household: Household) -> QuerySet[Order]:
    """A household's orders, newest first, with lines and registrations (X1: only its own)."""
    return (
        Order.objects.filter(household_id=household.pk)
        .prefetch_related(
            # Each line with its registration: the pages mark a line whose registration was deleted.
            Prefetch(
                "lines",
                queryset=OrderLine.objects.select_related("offering", "participant", "registration").order_by("pk"),
            ),
            Prefetch("registrations", queryset=Registration.objects.select_related("claim").order_by("pk")),
        )
        .order_by("-created_at", "-pk")
    )


def household_registrations(*, household: Household) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(household_id=household.pk)
        .select_related("offering", "participant", "claim", "order")
        .order_by("-submitted_at", "-pk")
    )

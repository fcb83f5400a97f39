"""The figures behind the reports (issue 14): one query or two each, scoped to one
organization, counted by the ledger's own selector (C2) and the grace policy's own P3 rule."""

from collections import Counter
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.db.models import Count, F, Sum
from django.db.models.functions import TruncDate

from capacity.selectors import availability
from catalog.models import Offering
from organizations.models import Organization
from payments.models import Payment
from registrations.models import Registration
from registrations.policies import PaymentState, payment_state
from registrations.selectors import facts_for


@dataclass(frozen=True)
class ProgramOccupancy:
    program: str
    capacity: int  # offerings with a capacity only; unlimited ones have no "free"
    confirmed: int
    tentative: int
    held: int

    @property
    def free(self) -> int:
        return max(0, self.capacity - self.confirmed - self.tentative - self.held)


def occupancy_by_program(*, organization: Organization, now: datetime) -> list[ProgramOccupancy]:
    """Seats confirmed, tentative, held and free per program, over its live offerings that
    have a capacity (C5), largest program first."""
    offerings = list(
        Offering.objects.filter(organization_id=organization.pk, is_archived=False, capacity__isnull=False)
        .exclude(kind=Offering.Kind.RENTAL)
        .values_list("pk", "capacity", "program__name", "program__season")
    )
    live = availability(offerings=[(pk, capacity) for pk, capacity, _, _ in offerings], now=now)
    totals: dict[str, Counter[str]] = {}
    for pk, capacity, name, season in offerings:
        label = f"{name} ({season})" if name and season else name or "No program"
        counts = totals.setdefault(label, Counter())
        a = live[pk]
        counts.update(capacity=capacity or 0, confirmed=a.confirmed, tentative=a.tentative, held=a.held)
    rows = [
        ProgramOccupancy(label, c["capacity"], c["confirmed"], c["tentative"], c["held"]) for label, c in totals.items()
    ]
    return sorted(rows, key=lambda r: (-r.capacity, r.program))


@dataclass(frozen=True)
class Day:
    day: date
    registrations: int
    revenue: Decimal


def registrations_and_revenue_by_day(*, organization: Organization, first: date, last: date) -> list[Day]:
    """Registrations submitted and money received on each day from `first` to `last`, in the
    organization's time zone (X4); days with nothing are there too, as zeros."""
    zone = organization.zone
    start = datetime.combine(first, datetime.min.time(), tzinfo=zone)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tzinfo=zone)
    registrations = dict(
        Registration.objects.filter(organization_id=organization.pk, submitted_at__gte=start, submitted_at__lt=end)
        .annotate(day=TruncDate("submitted_at", tzinfo=zone))
        .values("day")
        .annotate(n=Count("pk"))
        .values_list("day", "n")
    )
    revenue = dict(
        Payment.objects.filter(organization_id=organization.pk, received_at__gte=start, received_at__lt=end)
        .annotate(day=TruncDate("received_at", tzinfo=zone))
        .values("day")
        .annotate(total=Sum("amount"))
        .values_list("day", "total")
    )
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    return [Day(d, registrations.get(d, 0), revenue.get(d) or Decimal("0")) for d in days]


def incomplete_by_payment_state(*, organization: Organization, now: datetime) -> dict[PaymentState, int]:
    """Live registrations not paid in full, by their P3 state (the staff's payment state)."""
    unpaid = (
        Registration.objects.filter(organization_id=organization.pk, deleted_at__isnull=True)
        .exclude(order__amount_paid__gte=F("order__total"))
        .select_related("order")
    )
    counts = Counter(payment_state(facts_for(r), now) for r in unpaid)
    return {state: counts.get(state, 0) for state in PaymentState if state != PaymentState.PAID_IN_FULL}

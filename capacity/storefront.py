"""The customer portal's catalog (issue 12): the organization's offerings that a family can
register for, searched and filtered, one page at a time, each with its live availability (C5)
and what its meetings look like. A page costs the same few queries whatever its size or the
catalog's (pinned by portal/tests/test_catalog_page.py): the count, the page of offerings
(their meeting count and first and last meeting as subqueries), the ledger's counts for the
page, the page's schedules."""

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

from django.core.paginator import Page, Paginator
from django.db.models import (
    Count,
    DateTimeField,
    Exists,
    F,
    IntegerField,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
)
from django.db.models.functions import Coalesce, ExtractHour, ExtractIsoWeekDay

from capacity.errors import UnknownOffering
from capacity.models import Claim
from capacity.selectors import Availability, availability
from catalog.models import Meeting, Offering, Schedule
from catalog.selectors import listed_offerings
from organizations.models import Organization

# Rental slots are booked by facility and time (S5), not picked from a list of hours.
SHOP_KINDS = (Offering.Kind.CLASS, Offering.Kind.CAMP, Offering.Kind.MEMBERSHIP)
# Time of day of a meeting's start, in the organization's time zone: [from, to) hours.
TIMES_OF_DAY = {"morning": (0, 12), "afternoon": (12, 17), "evening": (17, 24)}


@dataclass(frozen=True)
class CatalogQuery:
    """What the family asked for; every field optional."""

    text: str = ""
    kind: str = ""
    age: int | None = None
    weekday: int | None = None  # ISO: 1 Monday ... 7 Sunday
    time_of_day: str = ""  # a key of TIMES_OF_DAY
    location: str = ""
    has_openings: bool = False


@dataclass(frozen=True)
class ShopOffering:
    offering: Offering
    availability: Availability
    schedules: list[Schedule] = field(default_factory=list)
    meeting_count: int = 0
    first_meeting: datetime | None = None
    last_meeting: datetime | None = None


def _zone(organization: Organization) -> ZoneInfo:
    return ZoneInfo(organization.time_zone)


def _taken_now(now: datetime) -> Coalesce:
    taken = (
        Claim.objects.counting_at(now)
        .filter(offering_id=OuterRef("pk"))
        .order_by()
        .values("offering_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(taken, output_field=IntegerField()), Value(0))


def shop_offerings(*, organization: Organization, now: datetime, today: date) -> QuerySet[Offering]:
    """The offerings a family can look at: listed, of a kind sold in the shop, not over."""
    return (
        listed_offerings(organization=organization)
        .filter(kind__in=SHOP_KINDS)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=today))
        .filter(Q(registration_closes_at__isnull=True) | Q(registration_closes_at__gt=now))
    )


def _filtered(
    offerings: QuerySet[Offering], query: CatalogQuery, *, zone: ZoneInfo, now: datetime
) -> QuerySet[Offering]:
    if query.text:
        words = query.text.split()[:8]
        for word in words:
            offerings = offerings.filter(
                Q(name__icontains=word)
                | Q(description__icontains=word)
                | Q(code__icontains=word)
                | Q(program__name__icontains=word)
            )
    if query.kind:
        offerings = offerings.filter(kind=query.kind)
    if query.age is not None:
        offerings = offerings.filter(Q(min_age__isnull=True) | Q(min_age__lte=query.age)).filter(
            Q(max_age__isnull=True) | Q(max_age__gte=query.age)
        )
    meetings = Meeting.objects.filter(offering_id=OuterRef("pk"))
    if query.weekday is not None:
        meetings = meetings.annotate(weekday=ExtractIsoWeekDay("starts_at", tzinfo=zone)).filter(weekday=query.weekday)
    if query.time_of_day in TIMES_OF_DAY:
        start, end = TIMES_OF_DAY[query.time_of_day]
        meetings = meetings.annotate(hour=ExtractHour("starts_at", tzinfo=zone)).filter(hour__gte=start, hour__lt=end)
    if query.location:
        meetings = meetings.filter(location=query.location)
    if query.weekday is not None or query.time_of_day in TIMES_OF_DAY or query.location:
        # All asked of one meeting: "Tuesday mornings at the pool" is one meeting's day, hour and place.
        offerings = offerings.filter(Exists(meetings))
    if query.has_openings:
        offerings = offerings.annotate(taken_now=_taken_now(now)).filter(
            Q(capacity__isnull=True) | Q(capacity__gt=F("taken_now"))
        )
    return offerings


def _with_meetings(offerings: QuerySet[Offering]) -> QuerySet[Offering]:
    def meeting_agg(aggregate: type[Count] | type[Min] | type[Max], output: object) -> Subquery:
        return Subquery(
            Meeting.objects.filter(offering_id=OuterRef("pk"))
            .order_by()
            .values("offering_id")
            .annotate(v=aggregate("starts_at"))
            .values("v"),
            output_field=output,  # type: ignore[arg-type]
        )

    return offerings.annotate(
        meeting_count=meeting_agg(Count, IntegerField()),
        first_meeting=meeting_agg(Min, DateTimeField()),
        last_meeting=meeting_agg(Max, DateTimeField()),
    )


def _shop_rows(page_offerings: list[Offering], *, now: datetime) -> list[ShopOffering]:
    seats = availability(offerings=[(o.pk, o.capacity) for o in page_offerings], now=now)
    schedules: dict[int, list[Schedule]] = {}
    for schedule in Schedule.objects.filter(offering_id__in=[o.pk for o in page_offerings]).order_by(
        "starts_on", "starts_at", "pk"
    ):
        schedules.setdefault(schedule.offering_id, []).append(schedule)
    return [
        ShopOffering(
            offering=o,
            availability=seats[o.pk],
            schedules=schedules.get(o.pk, []),
            meeting_count=getattr(o, "meeting_count", None) or 0,
            first_meeting=getattr(o, "first_meeting", None),
            last_meeting=getattr(o, "last_meeting", None),
        )
        for o in page_offerings
    ]


def catalog_page(
    *,
    organization: Organization,
    query: CatalogQuery,
    now: datetime,
    today: date,
    page: str | int | None,
    per_page: int = 20,
) -> tuple[Page[Offering], list[ShopOffering]]:
    """One page of the shop's catalog and its rows, in four queries whatever the sizes."""
    offerings = _filtered(
        shop_offerings(organization=organization, now=now, today=today), query, zone=_zone(organization), now=now
    )
    offerings = _with_meetings(offerings.select_related("program")).order_by(
        F("starts_on").asc(nulls_last=True), "name", "pk"
    )
    page_obj = Paginator(offerings, per_page).get_page(page)
    rows = _shop_rows(list(page_obj.object_list), now=now)
    return page_obj, rows


def shop_offering(*, organization: Organization, offering_id: int, now: datetime) -> tuple[ShopOffering, list[Meeting]]:
    """One offering of the shop with its availability and every meeting (404 if not listed)."""
    offering = (
        _with_meetings(listed_offerings(organization=organization).filter(kind__in=SHOP_KINDS, pk=offering_id))
        .select_related("program")
        .first()
    )
    if offering is None:
        raise UnknownOffering
    meetings = list(Meeting.objects.filter(offering_id=offering.pk).order_by("starts_at"))
    return _shop_rows([offering], now=now)[0], meetings


def live_availability(*, organization: Organization, offering_ids: list[int], now: datetime) -> list[Availability]:
    """The live availability of these offerings of the organization (the catalog's polling)."""
    pairs = list(
        listed_offerings(organization=organization).filter(pk__in=offering_ids[:100]).values_list("pk", "capacity")
    )
    seats = availability(offerings=pairs, now=now)
    return [seats[pk] for pk, _capacity in pairs]


def meeting_locations(*, organization: Organization, today: date) -> list[str]:
    """The places the organization's current offerings meet, for the location filter."""
    return list(
        Meeting.objects.filter(
            offering__organization_id=organization.pk,
            offering__is_archived=False,
            offering__kind__in=SHOP_KINDS,
            starts_at__date__gte=today,
        )
        .exclude(location="")
        .order_by("location")
        .values_list("location", flat=True)
        .distinct()
    )

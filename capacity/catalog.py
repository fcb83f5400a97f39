"""The catalog with live availability (C5): catalog's offerings, counted against the ledger."""

from dataclasses import dataclass
from datetime import datetime

from capacity.errors import UnknownOffering
from capacity.selectors import Availability, availability
from catalog.models import Meeting, Offering
from catalog.selectors import listed_offerings
from organizations.models import Organization


@dataclass(frozen=True)
class OfferingWithAvailability:
    offering: Offering
    availability: Availability


def catalog_offerings(
    *,
    organization: Organization,
    now: datetime,
    kind: str | None = None,
    facility_id: int | None = None,
    starts_from: datetime | None = None,
    starts_before: datetime | None = None,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, list[OfferingWithAvailability]]:
    """One page of the organization's catalog with live availability (C5), in three
    queries whatever the page size: count, offerings, one grouped count of the ledger."""
    offerings = listed_offerings(organization=organization, kind=kind, facility_id=facility_id)
    if starts_from is not None:
        offerings = offerings.filter(starts_at__gte=starts_from)
    if starts_before is not None:
        offerings = offerings.filter(starts_at__lt=starts_before)
    total = offerings.count()
    page = list(offerings.order_by("kind", "starts_at", "name", "pk")[offset : offset + limit])
    seats = availability(offerings=[(o.pk, o.capacity) for o in page], now=now)
    return total, [OfferingWithAvailability(offering=o, availability=seats[o.pk]) for o in page]


def offering_detail(
    *, organization: Organization, offering_id: int, now: datetime
) -> tuple[OfferingWithAvailability, list[Meeting]]:
    offering = listed_offerings(organization=organization).filter(pk=offering_id).first()
    if offering is None:
        raise UnknownOffering
    seats = availability(offerings=[(offering.pk, offering.capacity)], now=now)[offering.pk]
    meetings = list(Meeting.objects.filter(offering_id=offering.pk).order_by("starts_at"))
    return OfferingWithAvailability(offering=offering, availability=seats), meetings

"""The time range of a facility booking (S5, S6), checked the same way for a cart's rental and a
rental request: times with their offset, an end after the start, not yet started, a facility of
this organization, inside one of its bookable openings that day (several a day are allowed, so a
range across the midday gap is refused), and made of its listed back-to-back rental slots."""

from dataclasses import dataclass
from datetime import datetime

from django.utils import timezone

from carts import errors, policies
from catalog import policies as catalog_policies
from catalog.models import Facility, Offering
from catalog.selectors import openings
from organizations.models import Organization


@dataclass(frozen=True)
class RentalRange:
    facility: Facility
    offering_ids: list[int]  # the slots that cover the range, by start


def rental_range(
    *, organization: Organization, facility_id: int, starts_at: datetime, ends_at: datetime
) -> RentalRange:
    """The facility and the slots covering [starts_at, ends_at); refused (400/404/409) as said above:
    a time that has started is `rental_started` for staff and families alike."""
    if timezone.is_naive(starts_at) or timezone.is_naive(ends_at):
        raise errors.InvalidItem("Give the rental's times with their UTC offset, e.g. 2027-01-09T10:00:00-05:00.")
    if ends_at <= starts_at:
        raise errors.InvalidItem("A rental must end after it starts.")
    if starts_at <= timezone.now():
        # Before the slots: a past day has none listed any more, and "not made of listed slots"
        # would send the customer looking for slots that cannot be booked anyway.
        raise errors.RentalStarted
    facility = Facility.objects.filter(organization_id=organization.pk, pk=facility_id).first()
    if facility is None:
        raise errors.ItemNotFound("No such facility in this organization.")
    hours = openings(facility_id=facility.pk)
    # A facility without bookable hours is booked by its listed slots alone (slots made by hand).
    if hours and not catalog_policies.within_openings(
        starts_at=starts_at, ends_at=ends_at, openings=hours, zone=organization.zone
    ):
        day = starts_at.astimezone(organization.zone)
        raise errors.RentalUnavailable(
            f"That time is outside {facility.name}'s bookable hours: on {day:%A} it is open "
            f"{catalog_policies.describe_openings(hours, day.weekday())}. Choose a time inside one opening."
        )
    slots = list(
        Offering.objects.filter(
            organization_id=organization.pk,
            kind=Offering.Kind.RENTAL,
            facility_id=facility.pk,
            is_archived=False,
            starts_at__gte=starts_at,
            ends_at__lte=ends_at,
        )
        .order_by("starts_at")
        .values_list("pk", "starts_at", "ends_at")
    )
    # Every slot: the filter on starts_at and ends_at leaves out the rows where either is null.
    spans = [(s, e) for _, s, e in slots if s is not None and e is not None]
    if not policies.contiguous_slots(spans, starts_at=starts_at, ends_at=ends_at):
        raise errors.RentalUnavailable(
            "That time is not bookable: choose a range made of the facility's listed rental slots."
        )
    return RentalRange(facility=facility, offering_ids=[pk for pk, _, _ in slots])

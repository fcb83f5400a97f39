from django.db.models import QuerySet

from catalog.models import Facility, Offering
from organizations.models import Organization


def facilities(*, organization: Organization) -> QuerySet[Facility]:
    return Facility.objects.filter(organization_id=organization.pk).order_by("name")


def listed_offerings(
    *, organization: Organization, kind: str | None = None, facility_id: int | None = None
) -> QuerySet[Offering]:
    """The organization's offerings that are in the catalog (not archived), of one kind or at
    one facility if asked; with live availability: capacity.catalog."""
    offerings = Offering.objects.filter(organization_id=organization.pk, is_archived=False)
    if kind:
        offerings = offerings.filter(kind=kind)
    if facility_id is not None:
        offerings = offerings.filter(facility_id=facility_id)
    return offerings

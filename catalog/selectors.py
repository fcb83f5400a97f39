from django.db.models import QuerySet

from catalog.models import Facility, Offering, Program
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


def programs(*, organization_id: int) -> QuerySet[Program]:
    return Program.objects.filter(organization_id=organization_id).order_by("name", "season")


def setup_offerings(*, organization_id: int) -> QuerySet[Offering]:
    """Every offering of the organization, archived and cancelled ones too, for its managers."""
    return Offering.objects.filter(organization_id=organization_id).select_related("program").order_by("-pk")

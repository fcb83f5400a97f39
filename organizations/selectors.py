from dataclasses import dataclass
from datetime import datetime

from django.db.models import Count, Q

from capacity.models import Claim, counting_q
from organizations.models import Organization


@dataclass(frozen=True)
class OrganizationOverview:
    organization: Organization
    offerings: int
    seats_held: int
    seats_registered: int


def organizations_overview(*, now: datetime) -> list[OrganizationOverview]:
    """Every organization with its offering count and live claims, in two queries."""
    organizations = list(
        Organization.objects.annotate(
            offering_count=Count("offerings", filter=Q(offerings__is_archived=False))
        ).order_by("name")
    )
    claims = {
        row["organization_id"]: row
        for row in Claim.objects.filter(counting_q(now))
        .values("organization_id")
        .annotate(
            held=Count("pk", filter=Q(state=Claim.State.HELD)),
            registered=Count("pk", filter=~Q(state=Claim.State.HELD)),
        )
        .order_by()
    }
    return [
        OrganizationOverview(
            organization=o,
            offerings=o.offering_count,
            seats_held=claims.get(o.pk, {}).get("held", 0),
            seats_registered=claims.get(o.pk, {}).get("registered", 0),
        )
        for o in organizations
    ]

"""Reads on imports: the recent ones a staff member may see (the kinds their permissions allow)."""

from django.db.models import QuerySet

from imports.models import ImportRun
from imports.services import PERMISSION
from organizations.models import StaffMembership


def recent_imports(membership: StaffMembership, *, limit: int = 100) -> QuerySet[ImportRun]:
    """The organization's imports of the kinds this member may import, newest first, without
    the file's text (the list shows what, by whom, how far, not the rows)."""
    kinds = [kind for kind, permission in PERMISSION.items() if membership.has_permission(permission)]
    return (
        ImportRun.objects.filter(organization_id=membership.organization_id, kind__in=kinds)
        .select_related("created_by")
        .defer("text", "plan", "outcome")
        .order_by("-created_at", "-pk")[:limit]
    )

"""Reading the audit trail (X2): one organization's events, newest first, filtered."""

from datetime import datetime

from django.db.models import Q, QuerySet

from audit.models import AuditEvent


def audit_events(
    *,
    organization_id: int,
    actor: str = "",
    verb: str = "",
    household_id: int | None = None,
    offering_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
) -> QuerySet[AuditEvent]:
    """Who (a user name, or a job's label), what (a verb or its start: "cart."), which
    household or offering (the subject, or named in the event's data), when (half-open)."""
    events = AuditEvent.objects.filter(organization_id=organization_id).select_related("actor")
    if actor:
        events = events.filter(Q(actor__username__icontains=actor) | Q(actor_label__icontains=actor))
    if verb:
        events = events.filter(verb__startswith=verb)
    if household_id is not None:
        events = events.filter(household_id=household_id)
    if offering_id is not None:
        events = events.filter(Q(subject_type="offering", subject_id=offering_id) | Q(data__offering=offering_id))
    if since is not None:
        events = events.filter(created_at__gte=since)
    if until is not None:
        events = events.filter(created_at__lt=until)
    return events.order_by("-created_at", "-pk")

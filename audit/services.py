from collections.abc import Iterable
from datetime import datetime
from typing import Any

from audit.models import AuditEvent


def record(
    *,
    organization_id: int,
    verb: str,
    channel: str,
    subject_type: str,
    subject_id: int,
    now: datetime,
    actor_id: int | None = None,
    actor_label: str = "",
    household_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """Append one audit event (X2). Runs inside the caller's transaction, so the event
    exists exactly when the change it describes does."""
    return AuditEvent.objects.create(
        organization_id=organization_id,
        verb=verb,
        channel=channel,
        actor_id=actor_id,
        actor_label=actor_label,
        subject_type=subject_type,
        subject_id=subject_id,
        household_id=household_id,
        data=data or {},
        created_at=now,
    )


def record_many(events: Iterable[AuditEvent]) -> None:
    """Append several prepared events in one statement (used by bulk jobs)."""
    AuditEvent.objects.bulk_create(list(events))

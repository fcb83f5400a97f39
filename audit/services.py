from collections.abc import Iterable
from datetime import datetime
from typing import Any

from audit.models import AuditEvent
from core.querycache import CompiledInsert


def event(
    *,
    organization_id: int,
    verb: str,
    channel: str,
    subject_type: str,
    subject_id: int | None,
    now: datetime,
    actor_id: int | None = None,
    actor_label: str = "",
    household_id: int | None = None,
    data: dict[str, Any] | None = None,
) -> AuditEvent:
    """An unsaved audit event (X2): what, when, who or which job, from which channel.
    `subject_id` may be None only until the subject's row is written (capacity.claim_seats)."""
    return AuditEvent(
        organization_id=organization_id,
        verb=verb,
        channel=channel,
        actor_id=actor_id,
        actor_label=actor_label,
        subject_type=subject_type,
        # None only until the subject's row is written (see above): the field itself is not null.
        subject_id=subject_id,  # type: ignore[misc]
        household_id=household_id,
        data=data or {},
        created_at=now,
    )


def record(**fields: Any) -> AuditEvent:
    """Append one audit event; takes `event()`'s arguments. Runs inside the caller's
    transaction, so the event exists exactly when the change it describes does."""
    appended = event(**fields)
    appended.save(force_insert=True)
    return appended


_INSERT_EVENTS = CompiledInsert(AuditEvent)  # SQL compiled once: every add writes one event


def record_many(events: Iterable[AuditEvent]) -> None:
    """Append several events (built with `event()`) in one statement."""
    _INSERT_EVENTS.insert(list(events))

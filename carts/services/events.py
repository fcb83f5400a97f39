"""The audit event of a cart action (X2): who, on which channel, about which cart."""

from datetime import datetime

from audit.models import AuditEvent
from audit.services import event as audit_event
from carts.models import Cart


def cart_event(
    cart: Cart,
    verb: str,
    channel: str,
    actor_id: int | None,
    now: datetime,
    *,
    subject: tuple[str, int | None] | None = None,
    actor_label: str = "",
    data: dict[str, object] | None = None,
) -> AuditEvent:
    subject_type, subject_id = subject or ("cart", cart.pk)
    return audit_event(
        organization_id=cart.organization_id,
        verb=verb,
        channel=channel,
        actor_id=actor_id,
        actor_label=actor_label,
        subject_type=subject_type,
        subject_id=subject_id,
        household_id=cart.household_id,
        data={"cart": cart.pk} | (data or {}),
        now=now,
    )

"""Pure attendance rules (D5): facts in, a refusal or None out. No ORM, no clock."""

from datetime import datetime

from attendance import errors


def customer_change_refusal(
    *, meeting_starts_at: datetime, now: datetime, recorded_by_kind: str | None
) -> errors.MeetingStarted | errors.RecordedByInstructor | None:
    """Why the household may not mark, change or clear an absence now, or None (A2, A3): only
    before the meeting starts, and never over what an instructor or the office recorded."""
    if recorded_by_kind is not None and recorded_by_kind != "customer":
        return errors.RecordedByInstructor()
    if meeting_starts_at <= now:
        return errors.MeetingStarted()
    return None

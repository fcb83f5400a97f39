from core.errors import DomainError


class MeetingNotFound(DomainError):
    """Unknown meeting, or one the participant is not registered for: the same answer (X1)."""

    code = "meeting_not_found"
    kind = "not_found"
    default_message = "No such meeting for this participant."


class ReasonNotAvailable(DomainError):
    code = "absence_reason_not_available"
    kind = "invalid"
    default_message = "Choose one of the listed absence reasons."


class MeetingStarted(DomainError):
    code = "meeting_started"
    kind = "conflict"
    default_message = "This meeting has already started; ask the office to change its attendance."


class RecordedByInstructor(DomainError):
    code = "recorded_by_instructor"
    kind = "conflict"
    default_message = "Your instructor recorded this attendance; only they or the office can change it."


class InvalidAbsenceReason(DomainError):
    code = "invalid_absence_reason"
    kind = "invalid"


class InvalidAttendance(DomainError):
    code = "invalid_attendance"
    kind = "invalid"

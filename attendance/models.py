from django.conf import settings
from django.db import models
from django.db.models import Q
from django.db.models.functions import Lower


class AbsenceReason(models.Model):
    """One entry of an organization's absence-reason list (A5). Customers choose only from the
    active reasons marked usable by customers (A2); instructors and staff from every active one.
    A reason is never deleted once used: it is made inactive."""

    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="absence_reasons"
    )
    name = models.CharField(max_length=100)
    is_customer_usable = models.BooleanField(default=True)
    is_active = models.BooleanField(default=True)
    position = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            # The same reason twice in one list is a double submit, not a second reason.
            models.UniqueConstraint(Lower("name"), "organization", name="absence_reason_once_per_org"),
        ]

    def __str__(self) -> str:
        return self.name


class Attendance(models.Model):
    """A participant at one meeting: present, or absent with a reason; who recorded it (A2-A4).
    At most one live record per participant and meeting; a change updates it and a clearing
    archives it (`cleared_at`, D4), and the audit trail keeps every change."""

    class Status(models.TextChoices):
        PRESENT = "present", "Present"
        ABSENT = "absent", "Absent"

    class RecordedBy(models.TextChoices):
        CUSTOMER = "customer", "The household"  # A2, A3: the household may change or clear it
        STAFF = "staff", "An instructor or the office"  # A3: shown to the household, read-only

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    meeting = models.ForeignKey("catalog.Meeting", on_delete=models.PROTECT, related_name="attendance")
    participant = models.ForeignKey("households.Participant", on_delete=models.PROTECT, related_name="attendance")
    registration = models.ForeignKey("registrations.Registration", on_delete=models.PROTECT, related_name="attendance")
    status = models.CharField(max_length=10, choices=Status.choices)
    reason = models.ForeignKey(AbsenceReason, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_by_kind = models.CharField(max_length=10, choices=RecordedBy.choices)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    channel = models.CharField(max_length=10)
    recorded_at = models.DateTimeField()
    cleared_at = models.DateTimeField(null=True, blank=True)
    cleared_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    class Meta:
        constraints = [
            # One record per participant and meeting: a second mark changes it (or is refused).
            models.UniqueConstraint(
                fields=["meeting", "participant"],
                condition=Q(cleared_at__isnull=True),
                name="attendance_once_per_meeting",
            ),
            models.CheckConstraint(
                name="attendance_reason_only_when_absent", condition=Q(status="absent") | Q(reason__isnull=True)
            ),
        ]
        indexes = [
            # Serves the household's upcoming courses: its participants' records.
            models.Index(fields=["participant", "meeting"], name="attendance_participant_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.participant_id} {self.status} at meeting {self.meeting_id}"

    @property
    def is_customer_changeable(self) -> bool:
        return self.recorded_by_kind == self.RecordedBy.CUSTOMER


class Teaching(models.Model):
    """An instructor's class (A4, issue 13 item 7): the staff member who teaches this offering.
    An instructor (teach without enroll) sees and records attendance for these classes only;
    staff who enroll see every class."""

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    offering = models.ForeignKey("catalog.Offering", on_delete=models.PROTECT, related_name="teaching")
    membership = models.ForeignKey("organizations.StaffMembership", on_delete=models.CASCADE, related_name="teaching")
    created_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["offering", "membership"], name="teaching_once")]

    def __str__(self) -> str:
        return f"{self.membership_id} teaches {self.offering_id}"

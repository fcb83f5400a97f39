from datetime import date

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower

from organizations.models import Organization


class Household(models.Model):
    """A customer account in one organization: the payer and the participants registered
    through it. Never deleted by deleting its registrations (P6)."""

    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="households")
    payer = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="households", null=True, blank=True
    )
    name = models.CharField(max_length=200)
    email = models.EmailField()
    phone = models.CharField(max_length=40, blank=True)
    # When the payer proved the address by following the link sent at sign-up (portal, issue
    # 12); empty for households made at the desk or by import, and until the link is followed.
    email_verified_at = models.DateTimeField(null=True, blank=True)
    # The secret of the household's private calendar feed URL; a new one revokes the old URL.
    # Empty until the household first asks for its feed.
    calendar_token = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # A payer login has at most one household per organization.
            models.UniqueConstraint(fields=["organization", "payer"], name="household_one_per_payer_per_org"),
            # Serves the calendar feed's lookup by its secret; empty tokens are not in it.
            models.UniqueConstraint(
                fields=["calendar_token"],
                condition=~models.Q(calendar_token=""),
                name="household_calendar_token_unique",
            ),
        ]

    def __str__(self) -> str:
        return self.name


class Participant(models.Model):
    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="participants")
    first_name = models.CharField(max_length=100)
    last_name = models.CharField(max_length=100)
    date_of_birth = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # The same person twice in one household is a double submit, not a twin (X5);
            # held by the database so that two racing requests cannot both add them.
            models.UniqueConstraint(
                Lower("first_name"),
                Lower("last_name"),
                "date_of_birth",
                "household",
                name="participant_once_per_household",
            ),
        ]

    def __str__(self) -> str:
        return self.full_name

    @property
    def full_name(self) -> str:
        return f"{self.first_name} {self.last_name}"

    def age_on(self, day: date) -> int:
        years = day.year - self.date_of_birth.year
        if (day.month, day.day) < (self.date_of_birth.month, self.date_of_birth.day):
            years -= 1
        return years


class HouseholdNote(models.Model):
    """S8: what the office wrote down about a household (a caller's request, a special need).
    Append-only, like the audit trail: a note is never edited or deleted (D4)."""

    household = models.ForeignKey(Household, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField(max_length=2000)
    created_at = models.DateTimeField()

    class Meta:
        indexes = [models.Index(fields=["household", "-created_at"], name="household_note_newest_idx")]

    def __str__(self) -> str:
        return f"note {self.pk} on household {self.household_id}"

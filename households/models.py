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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            # A payer login has at most one household per organization.
            models.UniqueConstraint(fields=["organization", "payer"], name="household_one_per_payer_per_org"),
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

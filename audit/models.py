from typing import Any, NoReturn

from django.conf import settings
from django.db import models


class AuditIsAppendOnly(Exception):
    """An audit event was about to be changed or deleted (D4: the trail is append-only)."""


def _refuse(*args: Any, **kwargs: Any) -> NoReturn:
    raise AuditIsAppendOnly("The audit trail is append-only: events are never changed or deleted (D4).")


class AuditEventQuerySet(models.QuerySet["AuditEvent"]):
    """Reads and inserts only. On PostgreSQL the trigger of migration 0003 refuses an UPDATE or
    DELETE from any client; on SQLite (no trigger: Django's test flush deletes rows with plain
    SQL) this refusal in code is the guard."""

    update = _refuse
    delete = _refuse
    bulk_update = _refuse
    update_or_create = _refuse


class Channel(models.TextChoices):
    """Where an action comes from."""

    PORTAL = "portal", "Customer portal"
    API = "api", "Mobile app / API"
    OFFICE = "office", "Office"
    SYSTEM = "system", "System"


class AuditEvent(models.Model):
    """Append-only record of a state change (X2, D4): what, when, who or which job, from where."""

    # No database FK check on organization (decision 0005): every add's event would share-lock the
    # one organization row, and concurrent share locks on one row cost PostgreSQL a multixact
    # each. The id is copied from the rows the event is about; PROTECT still
    # holds in the ORM.
    # Indexed by audit_org_time_idx (organization, created_at) below.
    organization = models.ForeignKey(
        "organizations.Organization", on_delete=models.PROTECT, related_name="+", db_constraint=False, db_index=False
    )
    verb = models.CharField(max_length=80)
    channel = models.CharField(max_length=10, choices=Channel.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    actor_label = models.CharField(max_length=100, blank=True, help_text="job name when no user acted")
    subject_type = models.CharField(max_length=40)
    subject_id = models.BigIntegerField()
    household_id = models.BigIntegerField(null=True, blank=True)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        indexes = [
            models.Index(fields=["organization", "created_at"], name="audit_org_time_idx"),
            models.Index(fields=["subject_type", "subject_id"], name="audit_subject_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.verb} {self.subject_type}#{self.subject_id}"

    def save(self, *args: Any, **kwargs: Any) -> None:
        """Insert only: saving an event that is already stored would change it."""
        if not self._state.adding:
            _refuse()
        super().save(*args, **kwargs)

    def delete(self, *args: Any, **kwargs: Any) -> NoReturn:
        _refuse()

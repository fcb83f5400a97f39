from django.conf import settings
from django.db import models


class ImportRun(models.Model):
    """One CSV import: planned row by row (the dry run) before anything is written, then
    applied in chunks, each its own short transaction, so a 5,000-row file never blocks one
    request and its progress can be shown (imports.services)."""

    class Kind(models.TextChoices):
        OFFERINGS = "offerings", "Offerings"
        HOUSEHOLDS = "households", "Households"

    class Status(models.TextChoices):
        PLANNED = "planned", "Planned (dry run)"
        RUNNING = "running", "Running"
        DONE = "done", "Done"
        CANCELLED = "cancelled", "Cancelled"

    organization = models.ForeignKey("organizations.Organization", on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(max_length=12, choices=Kind.choices)
    filename = models.CharField(max_length=200, blank=True)
    text = models.TextField(help_text="the CSV as uploaded")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PLANNED)
    total = models.PositiveIntegerField(default=0)
    done = models.PositiveIntegerField(default=0, help_text="rows applied so far")
    # The dry run: one entry per row, [line, action, key, problems or changes]
    plan = models.JSONField(default=list)
    # What applying did, the same shape, filled chunk by chunk
    outcome = models.JSONField(default=list)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["organization", "-created_at"], name="import_recent_idx")]

    def __str__(self) -> str:
        return f"{self.kind} import {self.pk} ({self.status})"

    @property
    def percent(self) -> int:
        return 100 if not self.total else round(100 * self.done / self.total)

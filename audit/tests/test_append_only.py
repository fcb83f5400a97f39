"""D4: the audit trail is append-only, at the database on PostgreSQL and in code everywhere."""

import pytest
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from audit.models import AuditEvent, AuditIsAppendOnly
from audit.services import record


@pytest.fixture
def event(org):
    return record(
        organization_id=org.pk,
        verb="test.recorded",
        channel="office",
        subject_type="organization",
        subject_id=org.pk,
        now=timezone.now(),
    )


def test_d4_events_are_added_and_read(event):
    assert AuditEvent.objects.filter(pk=event.pk, verb="test.recorded").exists()


@pytest.mark.parametrize(
    "change",
    [
        lambda e: AuditEvent.objects.filter(pk=e.pk).update(verb="forged"),
        lambda e: AuditEvent.objects.filter(pk=e.pk).delete(),
        lambda e: e.delete(),
        lambda e: setattr(e, "verb", "forged") or e.save(),
        lambda e: AuditEvent.objects.bulk_update([e], ["verb"]),
    ],
    ids=["queryset.update", "queryset.delete", "delete", "save", "bulk_update"],
)
def test_d4_the_code_refuses_to_change_or_delete_an_event(event, change):
    with pytest.raises(AuditIsAppendOnly):
        change(event)
    assert AuditEvent.objects.get(pk=event.pk).verb == "test.recorded"


@pytest.mark.postgres
@pytest.mark.parametrize(
    "statement",
    ["UPDATE audit_auditevent SET verb = 'forged' WHERE id = %s", "DELETE FROM audit_auditevent WHERE id = %s"],
)
def test_d4_the_database_refuses_raw_sql_that_changes_or_deletes_an_event(event, statement):
    with pytest.raises(DatabaseError, match="append-only"), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(statement, [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).verb == "test.recorded"


@pytest.mark.postgres
def test_d4_negative_control_without_the_trigger_raw_sql_would_change_the_event(event):
    """Shows that the test above can fail: with the trigger lifted, the same UPDATE goes through."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the event's deferred FK checks, before the ALTER
        cursor.execute("ALTER TABLE audit_auditevent DISABLE TRIGGER audit_append_only")
        cursor.execute("UPDATE audit_auditevent SET verb = 'forged' WHERE id = %s", [event.pk])
        assert AuditEvent.objects.get(pk=event.pk).verb == "forged"
        transaction.set_rollback(True)
    assert AuditEvent.objects.get(pk=event.pk).verb == "test.recorded"

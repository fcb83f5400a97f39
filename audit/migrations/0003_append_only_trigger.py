"""D4: the audit trail is append-only at the database. On PostgreSQL a trigger refuses every
UPDATE and DELETE of audit_auditevent, whoever sends it (the ORM, raw SQL, a psql session).
TRUNCATE is not refused: it is how a test database or a benchmark is emptied whole, and it
needs the table's owner. A deliberate maintenance step must disable the trigger by name
(ALTER TABLE ... DISABLE TRIGGER audit_append_only, as bench/sweep_due.py does between its
repetitions), which only the table's owner can. SQLite has no such trigger: Django's test flush
deletes rows with plain SQL there; audit.models refuses in code instead."""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
BEGIN
    RAISE EXCEPTION 'audit_auditevent is append-only (D4): % refused', TG_OP
        USING ERRCODE = 'insufficient_privilege';
END;
$$ LANGUAGE plpgsql;
CREATE TRIGGER audit_append_only BEFORE UPDATE OR DELETE ON audit_auditevent
    FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();
"""
DROP = """
DROP TRIGGER IF EXISTS audit_append_only ON audit_auditevent;
DROP FUNCTION IF EXISTS audit_refuse_change();
"""


def create(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE, params=None)  # no interpolation: the SQL has a literal %


def drop(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP, params=None)


class Migration(migrations.Migration):
    dependencies = [("audit", "0002_alter_auditevent_organization")]

    operations = [migrations.RunPython(create, drop)]

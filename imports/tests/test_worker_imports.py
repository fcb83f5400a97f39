"""A started import finishes in the worker with its tab closed (decision 0018)."""

from django.utils import timezone

from audit.models import AuditEvent
from catalog.models import Offering
from imports.models import ImportRun
from imports.services import apply_running_imports, plan_import, run_import_chunk
from jobs.registry import job_names
from organizations.models import Permission
from organizations.tests.factories import make_staff

CSV = "code,kind,name,price\n" + "".join(f"K{i},class,Class {i},5.00\n" for i in range(7))


def test_the_worker_continues_a_started_import_to_its_end(org):
    admin = make_staff(org, [Permission.MANAGE_CATALOG])
    run = plan_import(membership=admin, kind="offerings", text=CSV)
    assert apply_running_imports(now=timezone.now(), chunk=2) == 0  # a dry run is not started
    run_import_chunk(membership=admin, run_id=run.pk, chunk=2)  # the page's first chunk, then the tab closes
    assert apply_running_imports(now=timezone.now(), chunk=2) == 5
    run.refresh_from_db()
    assert (run.status, run.done, run.percent) == (ImportRun.Status.DONE, 7, 100)
    assert Offering.objects.filter(organization=org).count() == 7
    assert AuditEvent.objects.filter(subject_id=run.pk, channel="system", actor_id=admin.user_id).count() == 5
    assert "apply_imports" in job_names()


def test_the_worker_does_not_continue_for_someone_who_lost_the_permission(org):
    admin = make_staff(org, [Permission.MANAGE_CATALOG])
    run = plan_import(membership=admin, kind="offerings", text=CSV)
    run_import_chunk(membership=admin, run_id=run.pk, chunk=2)
    admin.permissions = [Permission.ENROLL]
    admin.save()
    assert apply_running_imports(now=timezone.now(), chunk=2) == 0
    assert ImportRun.objects.get(pk=run.pk).done == 2

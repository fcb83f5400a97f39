"""The API matrix catches what it is for: an operation whose view forgets the check it
declares (negative control), and one that declares nothing."""

import pytest
from django.urls import path
from django.utils import timezone
from ninja import NinjaAPI, Router

from api.access import ApiAccess
from api.auth import AUTH
from api.tests.matrix import api_operations, operation_problems
from api.tests.world import add_api_rows
from audit.models import AuditEvent, Channel
from audit.services import record
from office.tests.world import make_world
from organizations.models import Permission

router = Router(auth=AUTH)


@router.post("/orgs/{slug}/unchecked")
def unchecked(request, slug: str) -> dict[str, str]:
    """Claims to need *delete enrollments*, checks nothing, and writes."""
    record(
        organization_id=1,
        verb="test.unchecked",
        channel=Channel.API,
        subject_type="t",
        subject_id=1,
        now=timezone.now(),
    )
    return {"done": "yes"}


unchecked.api_access = ApiAccess("staff", (Permission.DELETE_ENROLLMENTS,))


@router.get("/orgs/{slug}/undeclared")
def undeclared(request, slug: str) -> dict[str, str]:
    return {}


negative_api = NinjaAPI(urls_namespace="api-negative-control")
negative_api.add_router("", router)
urlpatterns = [path("negative/", negative_api.urls)]


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.mark.urls("api.tests.test_api_matrix_negative_control")
def test_x1_negative_control_the_api_matrix_flags_an_operation_that_checks_nothing(db):
    world = make_world()
    add_api_rows(world)
    checked, declared_nothing = api_operations([router])
    url = f"/orgs/{world.organization.slug}/unchecked"
    found = {
        role: operation_problems(world, checked, role, url, prefix="/negative")
        for role in ("anonymous", "customer", "other_org_admin", "instructor", "manager")
    }
    assert found["anonymous"] == []  # authentication still stops the anonymous
    assert any("200, expected refused with [404]" in p for p in found["customer"])
    assert any("changed audit.auditevent" in p for p in found["customer"])
    assert any("200, expected refused with [404]" in p for p in found["other_org_admin"])
    assert any("200, expected refused with [403]" in p for p in found["instructor"])
    assert found["manager"] == []  # allowed, and it works
    assert AuditEvent.objects.filter(verb="test.unchecked").count() == 4
    assert operation_problems(world, declared_nothing, "admin", url, prefix="/negative") == [
        "GET /orgs/{slug}/undeclared declares no access (api.access: public, signed, signed_in, customer or staff)"
    ]

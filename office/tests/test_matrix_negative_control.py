"""The matrix catches what it is for: a route whose view forgets the check (negative control)."""

import pytest
from django.http import HttpResponse
from django.urls import include, path
from django.utils import timezone

from audit.models import AuditEvent, Channel
from audit.services import record
from office.access import Access
from office.tests.matrix import office_routes, route_problems
from organizations.models import Permission


def unchecked_action(request, slug):
    """Claims to need *delete enrollments*, checks nothing, and writes."""
    record(
        organization_id=1,
        verb="test.unchecked",
        channel=Channel.OFFICE,
        subject_type="test",
        subject_id=1,
        now=timezone.now(),
    )
    return HttpResponse("done")


unchecked_action.office_access = Access(permissions=(Permission.DELETE_ENROLLMENTS,), methods=("GET", "POST"))

urlpatterns = [
    path("office/", include(([path("<slug:slug>/unchecked/", unchecked_action, name="unchecked")], "office"))),
]


@pytest.mark.urls("office.tests.test_matrix_negative_control")
def test_x1_negative_control_the_matrix_flags_a_route_that_checks_nothing(world):
    (route,) = office_routes()
    url = f"/office/{world.organization.slug}/unchecked/"
    found = {role: route_problems(world, route, role, "POST", url) for role in ("customer", "instructor", "admin")}
    assert any("200, expected refused" in p for p in found["customer"])
    assert any("changed audit.auditevent" in p for p in found["customer"])
    assert any("200, expected refused with (403,)" in p for p in found["instructor"])
    assert found["admin"] == []  # allowed, and it works
    assert AuditEvent.objects.filter(verb="test.unchecked").count() == 3

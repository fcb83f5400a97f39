from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from office.access import OfficeRequest, staff_page
from office.views.setup_health import worker_is_stale


@staff_page()
def home(request: OfficeRequest) -> HttpResponse:
    """The office's front page: where each task starts, for what this staff member may do."""
    return render(request, "office/home.html", {"stale": worker_is_stale(timezone.now())})

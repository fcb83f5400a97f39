from django.http import HttpResponse
from django.shortcuts import render
from django.utils import timezone

from jobs.selectors import worker_health
from office.access import OfficeRequest, staff_page
from office.views.setup_health import worker_warning


@staff_page()
def home(request: OfficeRequest) -> HttpResponse:
    """The office's front page: where each task starts, for what this staff member may do."""
    now = timezone.now()
    return render(request, "office/home.html", {"worker_warning": worker_warning(worker_health(now=now), now)})

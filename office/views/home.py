from django.http import HttpResponse
from django.shortcuts import render

from office.access import OfficeRequest, staff_page


@staff_page()
def home(request: OfficeRequest) -> HttpResponse:
    """The office's front page: where each task starts, for what this staff member may do."""
    return render(request, "office/home.html", {})

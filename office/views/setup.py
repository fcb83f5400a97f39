from django.http import HttpResponse
from django.shortcuts import render

from office.access import OfficeRequest, staff_page
from organizations.models import Permission


@staff_page(Permission.MANAGE_SETTINGS)
def setup(request: OfficeRequest) -> HttpResponse:
    """Administration (issue 14): the settings and catalog pages start here."""
    return render(request, "office/setup/home.html", {})

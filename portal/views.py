from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from organizations.selectors import organizations_overview


def home(request: HttpRequest) -> HttpResponse:
    """Landing page: the organizations on this installation, with live seat counts, and
    where to find the API."""
    return render(request, "portal/home.html", {"organizations": organizations_overview(now=timezone.now())})

"""What every office template gets, the layout's navigation first: set only on requests that
`office.access.staff_page` let through, nothing on any other page."""

from django.http import HttpRequest

from office.navigation import office_navigation


def office(request: HttpRequest) -> dict[str, object]:
    membership = getattr(request, "membership", None)
    if membership is None:
        return {}
    return {
        "organization": membership.organization,
        "membership": membership,
        "office_nav": office_navigation(membership, current_path=request.path),
    }

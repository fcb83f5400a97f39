"""What every portal template gets: set only on requests that `portal.access.portal_page` let
through (they carry `household`), nothing on any other page. The cart's count is computed only
when a template asks for it."""

from django.http import HttpRequest
from django.utils import timezone
from django.utils.functional import SimpleLazyObject

from carts.selectors import live_item_count


def portal(request: HttpRequest) -> dict[str, object]:
    if not hasattr(request, "household") or not hasattr(request, "organization"):
        return {}
    household = request.household

    def count() -> int:
        return live_item_count(household_id=household.pk, now=timezone.now()) if household else 0

    return {
        "organization": request.organization,
        "household": household,
        "cart_count": SimpleLazyObject(count),
        "now_instant": timezone.now(),
    }

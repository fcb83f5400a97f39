"""Links in emails to the customer's pages (portal, issue 12): by URL name, resolved when the
email is written, so the domain packages that write emails name a page without importing the
package that serves it (decision 0009: data may point up, code may not; decision 0015)."""

from django.conf import settings
from django.urls import NoReverseMatch, reverse


def portal_link(url_name: str, **kwargs: object) -> str:
    """The absolute URL of a portal page (SITE_URL + its path), or "" when this installation
    serves no such page (an email then says to sign in instead)."""
    try:
        path = reverse(url_name, kwargs=kwargs)
    except NoReverseMatch:
        return ""
    return f"{settings.SITE_URL.rstrip('/')}{path}"

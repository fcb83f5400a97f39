"""Where each organization's pages start, by URL name, in one place: the home page links each one
that exists. The portal (issue 12) and the office (issue 13) name their first page so, with the
organization's slug as the `slug` keyword (path("o/<slug:slug>/", ..., name="home") in an app
whose app_name is "portal"), and the home page starts linking to it."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from ui.tables import Link


@dataclass(frozen=True)
class EntryPoint:
    url_name: str
    label: str | Promise


ORGANIZATION_ENTRY_POINTS = (
    EntryPoint("portal:home", _("Customer portal")),  # /o/<slug>/
    EntryPoint("office:home", _("Office")),  # /office/<slug>/
)


def organization_links(slug: str) -> list[Link]:
    """A link to each entry point of this organization whose page exists."""
    links = []
    for entry in ORGANIZATION_ENTRY_POINTS:
        try:
            links.append(Link(str(entry.label), reverse(entry.url_name, kwargs={"slug": slug})))
        except NoReverseMatch:
            continue
    return links

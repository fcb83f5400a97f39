"""The route x role matrix, as functions the tests call (and the negative control feeds a
broken route): every office route, from the URL configuration, requested as every role."""

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from django.apps import apps
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

from office.access import Access, access_of
from office.tests.world import OUTSIDERS, World

# Tables whose rows are not the business's state: a signed-in test client writes a session.
IGNORED_MODELS = {"sessions.session", "admin.logentry", "contenttypes.contenttype", "auth.permission"}
# A refused request answers one of these (anonymous visitors are sent to sign in).
REFUSED = {"anonymous": (302,), "customer": (404,), "other_org_admin": (404,)}
# An allowed request answers a page, a redirect after a POST, or a form's own refusal.
WORKS = {"GET": (200,), "POST": (200, 302, 303, 400, 409)}


@dataclass(frozen=True)
class Route:
    name: str  # "office:home"
    route: str  # "<slug:slug>/"
    keywords: tuple[str, ...]
    view: Callable[..., Any]

    @property
    def access(self) -> Access | None:
        return access_of(self.view)


def office_routes(urlconf: str | None = None) -> list[Route]:
    """Every route under /office/ in the URL configuration, whatever the nesting."""
    resolver = get_resolver(urlconf)
    found = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver) and getattr(entry, "namespace", None) == "office":
            found += list(_walk(entry.url_patterns, "office", ""))
    return found


def _walk(entries: list[Any], namespace: str, prefix: str) -> Iterator[Route]:
    for entry in entries:
        if isinstance(entry, URLResolver):
            yield from _walk(entry.url_patterns, namespace, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            route = prefix + str(entry.pattern)
            keywords = tuple(getattr(entry.pattern, "converters", {}).keys())
            yield Route(name=f"{namespace}:{entry.name}", route=route, keywords=keywords, view=entry.callback)


def snapshot() -> dict[str, list[tuple[Any, ...]]]:
    """Every row of every table that holds the business's state, to compare before and after."""
    state = {}
    for model in apps.get_models():
        label = model._meta.label_lower
        if label in IGNORED_MODELS:
            continue
        state[label] = list(model._base_manager.order_by("pk").values_list())
    return state


def changed_tables(before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]]) -> list[str]:
    return sorted(label for label in before if before[label] != after.get(label))


def client_for(world: World, role: str) -> Client:
    client = Client()
    user = world.user(role)
    if user is not None:
        client.force_login(user)
    return client


def expected_outcome(world: World, access: Access, role: str, method: str) -> tuple[str, tuple[int, ...]]:
    """("works", statuses) or ("refused", statuses) for this role and method on a route."""
    if role in REFUSED:
        return "refused", REFUSED[role]
    if not access.allows(world.staff[role]):
        return "refused", (403,)
    if method not in access.methods:
        return "refused", (405,)
    return "works", WORKS[method]


def route_problems(world: World, route: Route, role: str, method: str, path: str) -> list[str]:
    """What is wrong with one request of the matrix: a wrong status, or a refused request that
    changed something. Empty when the route keeps its promise for this role."""
    access = route.access
    if access is None:
        return [f"{route.name} declares no access (wrap its view in office.access.staff_page)"]
    outcome, statuses = expected_outcome(world, access, role, method)
    client = client_for(world, role)
    before = snapshot() if outcome == "refused" else None
    response = getattr(client, method.lower())(path)
    problems = []
    if response.status_code not in statuses:
        problems.append(f"{method} {path} as {role}: {response.status_code}, expected {outcome} with {statuses}")
    if role == "anonymous" and response.status_code == 302 and not response["Location"].startswith("/accounts/login/"):
        problems.append(f"{method} {path} as anonymous redirects to {response['Location']}, not to sign in")
    if before is not None:
        changed = changed_tables(before, snapshot())
        if changed:
            problems.append(f"{method} {path} as {role} was refused but changed {', '.join(changed)}")
    if role in OUTSIDERS and world.organization.name.encode() in response.content:
        problems.append(f"{method} {path} as {role} shows the organization's name: an existence oracle")
    return problems

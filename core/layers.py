"""The order of Registrar's packages, bottom first: the one place it is written down.

A module may import from its own layer or from any layer below, never from one above
(registrar/tests/test_layers.py checks every non-test module, and that no import cycle
exists between packages or between the modules of one package). Why this order, and how a
lower layer gets what only a higher one knows: docs/decisions/0009-layers.md.
"""

LAYERS: list[list[str]] = [
    ["core"],  # plumbing: error base classes, env parsing, compiled queries, the PostgreSQL backend, middleware
    ["audit"],  # the sink every layer may write to
    ["organizations", "accounts"],
    ["households", "catalog", "notifications"],
    ["capacity"],  # the ledger: the only package that writes Claim rows
    ["orders"],
    ["registrations"],
    ["carts", "attendance"],  # carts, holds, balances in carts, checkout; absences and attendance at meetings
    ["rentals"],  # S6: rental requests that hold their time until staff approve or decline
    ["payments"],
    ["bulk", "imports", "reports"],  # previewed bulk changes (F2), CSV imports, the reports' figures and charts
    ["ui"],  # what every page builds on (layout, forms, sign-in, error pages); never imports the pages
    # interfaces: import any domain package, hold no rules (monitoring: /health and /metrics)
    ["api", "portal", "office", "jobs", "monitoring", "demo"],
    ["registrar"],  # the project: settings, URLs, ASGI/WSGI
]


def layer_of(package: str, layers: list[list[str]] = LAYERS) -> int | None:
    """The index of `package`'s layer (0 is the bottom), None if it has none."""
    for index, packages in enumerate(layers):
        if package in packages:
            return index
    return None

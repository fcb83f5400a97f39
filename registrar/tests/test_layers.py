"""The layers of core/layers.py (decision 0009), checked over every non-test module:

- every import points to the importing package's own layer or to one below it;
- no import cycle between packages (sideways imports inside a layer included), and none
  between the modules of one package;
- no module over 400 lines (tests and migrations aside).

Each checker takes the sources as data, so the tests at the bottom can feed it a small
synthetic tree that breaks its rule and see that it says so.
"""

import ast
import itertools
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.apps import apps

from core.layers import LAYERS, layer_of
from registrar.tests.sourcetree import (
    ROOT,
    SKIPPED_DIRS,
    Violation,
    computed_imports,
    import_targets,
    is_migration,
    is_project_path,
    is_test_file,
    module_name,
    python_files,
    relative,
    report,
)

MAX_MODULE_LINES = 400  # bench/ included

Sources = dict[str, tuple[str, str]]  # module name -> (path, source)


@dataclass(frozen=True)
class Import:
    importer: str  # module names
    imported: str
    path: str
    line: int

    def __str__(self) -> str:
        return f"{self.path}:{self.line} imports {self.imported}"


# --- reading the tree ---------------------------------------------------------------------


def project_packages() -> set[str]:
    """The top-level directories that are Python packages."""
    return {
        path.name
        for path in ROOT.iterdir()
        if path.is_dir() and path.name not in SKIPPED_DIRS and (path / "__init__.py").is_file()
    }


def project_modules() -> dict[str, str]:
    """Every module of the project packages, tests included: module name -> path."""
    return {
        module_name(relative(path)): relative(path)
        for path in python_files(*sorted(project_packages()))
        if not is_migration(relative(path))
    }


def checked_sources() -> Sources:
    """The modules the layers are about: project packages, no tests, no migrations."""
    return {
        module: (path, (ROOT / path).read_text(encoding="utf-8"))
        for module, path in project_modules().items()
        if not is_test_file(path)
    }


def imports_of(sources: Sources, known: set[str]) -> list[Import]:
    """Every import among project modules (`known`) made by the modules of `sources`."""
    found = []
    for module, (path, source) in sources.items():
        for line, imported in import_targets(ast.parse(source, path), path, known):
            if imported != module:
                found.append(Import(module, imported, path, line))
    return sorted(set(found), key=lambda i: (i.path, i.line, i.imported))


def package_of(module: str) -> str:
    return module.split(".")[0]


# --- the checkers -------------------------------------------------------------------------


def upward_imports(imports: Iterable[Import], layers: list[list[str]]) -> list[Violation]:
    """An import from a package to one in a higher layer, or of a package that has no layer."""
    found = []
    for i in imports:
        importer, imported = package_of(i.importer), package_of(i.imported)
        if importer == imported:
            continue
        low, high = layer_of(imported, layers), layer_of(importer, layers)
        if high is None or low is None:
            unlisted = importer if high is None else imported
            found.append(Violation(i.path, i.line, f"package {unlisted!r} has no layer in core/layers.py"))
        elif low > high:
            found.append(
                Violation(
                    i.path,
                    i.line,
                    f"{i.importer} imports {i.imported}: {imported!r} (layer {low}) is above {importer!r} (layer {high})",
                )
            )
    return found


def cycles(graph: dict[str, set[str]]) -> list[tuple[list[str], list[str]]]:
    """The import cycles of `graph` (node -> the nodes it imports): each strongly connected
    group of nodes (every one reaches every other), with a shortest cycle through its first
    node, as [a, b, ..., a]."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(node: str) -> None:  # Tarjan's algorithm
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for other in sorted(graph.get(node, ())):
            if other not in index:
                visit(other)
                low[node] = min(low[node], low[other])
            elif other in on_stack:
                low[node] = min(low[node], index[other])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1 or node in graph.get(node, ()):
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return [(group, _cycle_through(group, graph)) for group in sorted(groups)]


def _cycle_through(group: list[str], graph: dict[str, set[str]]) -> list[str]:
    """A shortest cycle from the group's first node back to it, inside the group."""
    start, members = group[0], set(group)
    paths = {start: [start]}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for other in sorted(graph.get(node, ()) & members):
                if other == start:
                    return [*paths[node], start]
                if other not in paths:
                    paths[other] = [*paths[node], other]
                    following.append(other)
        frontier = following
    raise AssertionError(f"{group} is not a cycle")


def _cycle_violations(imports: list[Import], node_of: dict[str, str], what: str) -> list[Violation]:
    graph: dict[str, set[str]] = {}
    evidence: dict[tuple[str, str], Import] = {}
    for i in imports:
        a, b = node_of[i.importer], node_of[i.imported]
        graph.setdefault(a, set()).add(b)
        evidence.setdefault((a, b), i)
    found = []
    for group, cycle in cycles(graph):
        steps = [evidence[(a, b)] for a, b in itertools.pairwise(cycle)]
        because = "; ".join(str(step) for step in steps)
        knot = f"; one knot of {len(group)}: {', '.join(group)}" if len(group) > len(steps) else ""
        found.append(Violation(steps[0].path, steps[0].line, f"{what}: {' -> '.join(cycle)} ({because}){knot}"))
    return found


def package_cycles(imports: Iterable[Import]) -> list[Violation]:
    """Cycles between packages, through any of their modules."""
    between = [i for i in imports if package_of(i.importer) != package_of(i.imported)]
    node_of = {m: package_of(m) for i in between for m in (i.importer, i.imported)}
    return _cycle_violations(between, node_of, "import cycle between packages")


def module_cycles(imports: Iterable[Import]) -> list[Violation]:
    """Cycles between the modules of one package."""
    inside = [i for i in imports if package_of(i.importer) == package_of(i.imported)]
    node_of = {m: m for i in inside for m in (i.importer, i.imported)}
    return _cycle_violations(inside, node_of, "import cycle inside a package")


def computed_import_names(sources: Sources) -> list[Violation]:
    """`import_module(f"...")` and the like: the checks above cannot see what they import."""
    return [
        Violation(path, line, "imports a module by a computed name: name it literally, so that its layer is checked")
        for path, source in sources.values()
        for line in computed_imports(ast.parse(source, path))
    ]


def long_modules(files: Iterable[tuple[str, str]], limit: int = MAX_MODULE_LINES) -> list[Violation]:
    """(path, source) pairs: modules over `limit` lines, tests and migrations aside."""
    return [
        Violation(path, limit + 1, f"{len(source.splitlines())} lines: split it by what the code does (max {limit})")
        for path, source in files
        if not is_test_file(path) and not is_migration(path) and len(source.splitlines()) > limit
    ]


# --- the rules, over the real tree --------------------------------------------------------


def test_every_project_package_has_one_layer():
    listed = [package for layer in LAYERS for package in layer]
    assert len(listed) == len(set(listed)), f"a package is listed twice in core/layers.py: {listed}"
    installed = {config.name for config in apps.get_app_configs() if is_project_path(Path(config.path))}
    unlisted = sorted((project_packages() | installed) - set(listed))
    assert not unlisted, f"add {unlisted} to a layer in core/layers.py (and say why in docs/decisions/0009)"


def test_the_import_scan_sees_the_tree():
    """Guards the checks below against passing because they looked at nothing."""
    sources = checked_sources()
    imports = imports_of(sources, set(project_modules()))
    assert len(sources) > 80
    assert len(imports) > 200
    pairs = {(i.importer, i.imported) for i in imports}
    assert ("carts.services.checkout", "registrations.ordering") in pairs
    assert ("capacity.services", "core.querycache") in pairs
    assert ("carts.services", "carts.services.adding") in pairs  # a package's __init__ counts


def test_imports_point_down_the_layers():
    violations = upward_imports(imports_of(checked_sources(), set(project_modules())), LAYERS)
    assert not violations, report(violations, "imports go to the same layer or below (core/layers.py)")


def test_no_import_cycle_between_packages():
    violations = package_cycles(imports_of(checked_sources(), set(project_modules())))
    assert not violations, report(violations, "no import cycle between packages")


def test_no_import_cycle_inside_a_package():
    violations = module_cycles(imports_of(checked_sources(), set(project_modules())))
    assert not violations, report(violations, "no import cycle between the modules of a package")


def test_no_module_is_imported_by_a_computed_name():
    violations = computed_import_names(checked_sources())
    assert not violations, report(violations, "modules are imported by their literal names")


def test_no_module_over_400_lines():
    violations = long_modules((relative(path), path.read_text(encoding="utf-8")) for path in python_files())
    assert not violations, report(violations, f"no module over {MAX_MODULE_LINES} lines")


# --- each checker can fail ----------------------------------------------------------------

TOY_LAYERS = [["core"], ["households", "catalog"], ["carts"], ["payments"], ["api", "portal", "office"]]


def _imports(sources: dict[str, str], *, also_known: Iterable[str] = ()) -> list[Import]:
    """The imports of a toy tree given as path -> source."""
    by_module = {module_name(path): (path, source) for path, source in sources.items()}
    return imports_of(by_module, set(by_module) | set(also_known))


def test_layer_checker_flags_upward_absolute_relative_and_dynamic_imports():
    imports = _imports(
        {
            "carts/services/adding.py": (
                "from core.errors import DomainError\n"  # down: fine
                "from catalog.models import Offering\n"  # down: fine
                "from payments.selectors import payable\n"  # up
                "import api.schemas\n"  # up
                "from ... import office\n"  # up: carts/services -> the tree root
                "from .. import policies\n"  # carts.policies: same package
                "import importlib\n"
                "importlib.import_module('portal.views')\n"  # up
                "def later():\n"
                "    from payments import services\n"  # up, however late
            ),
            "core/errors.py": "from carts.models import Cart\n",  # up, from the bottom
            "carts/policies.py": "",
            "carts/models.py": "",
        },
        also_known=[
            "catalog.models",
            "payments.selectors",
            "payments.services",
            "api.schemas",
            "office",
            "portal.views",
        ],
    )
    violations = upward_imports(imports, TOY_LAYERS)
    assert [(v.path, v.line) for v in violations] == [
        ("carts/services/adding.py", 3),
        ("carts/services/adding.py", 4),
        ("carts/services/adding.py", 5),
        ("carts/services/adding.py", 8),
        ("carts/services/adding.py", 10),
        ("core/errors.py", 1),
    ]
    assert str(violations[0]) == (
        "carts/services/adding.py:3: carts.services.adding imports payments.selectors: "
        "'payments' (layer 3) is above 'carts' (layer 2)"
    )


def test_layer_checker_allows_down_and_sideways_and_flags_an_unlisted_package():
    imports = _imports(
        {
            "payments/services.py": "from carts.services import checkout\nfrom core import sqlbatch\n",
            "catalog/models.py": "from households.models import Household\n",  # sideways
            "ui/widgets.py": "from carts.models import Cart\n",  # a package with no layer
        },
        also_known=["carts.services.checkout", "core.sqlbatch", "households.models", "carts.models"],
    )
    violations = upward_imports(imports, TOY_LAYERS)
    assert [str(v) for v in violations] == ["ui/widgets.py:1: package 'ui' has no layer in core/layers.py"]


def test_package_cycle_checker_flags_a_cycle_within_a_layer_and_across_layers():
    sideways = _imports(
        {
            "catalog/models.py": "from households.models import Household\n",
            "households/services.py": "from catalog.selectors import listed\n",
            "households/models.py": "",
            "catalog/selectors.py": "",
        }
    )
    assert upward_imports(sideways, TOY_LAYERS) == []  # sideways is allowed...
    [violation] = package_cycles(sideways)  # ...a cycle is not
    assert str(violation) == (
        "catalog/models.py:1: import cycle between packages: catalog -> households -> catalog "
        "(catalog/models.py:1 imports households.models; households/services.py:1 imports catalog.selectors)"
    )
    three = _imports(
        {"core/a.py": "import carts.b\n", "carts/b.py": "import payments.c\n", "payments/c.py": "import core.a\n"}
    )
    assert [v.message.split(" (")[0] for v in package_cycles(three)] == [
        "import cycle between packages: carts -> payments -> core -> carts"
    ]
    assert package_cycles(_imports({"carts/b.py": "import core.a\n", "core/a.py": ""})) == []


def test_module_cycle_checker_flags_a_cycle_inside_a_package_even_a_lazy_one():
    imports = _imports(
        {
            "jobs/registry.py": "from jobs import services\n",
            "jobs/services.py": "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from jobs.registry import Job\n",
        }
    )
    [violation] = module_cycles(imports)
    assert violation.message.startswith(
        "import cycle inside a package: jobs.registry -> jobs.services -> jobs.registry"
    )
    assert package_cycles(imports) == []


def test_module_cycle_checker_allows_a_reexporting_init_unless_a_module_imports_it_back():
    tree = {
        "carts/services/__init__.py": "from carts.services.adding import add_to_cart\n",
        "carts/services/adding.py": "from carts.services import events\nfrom carts.services.events import cart_event\n",
        "carts/services/events.py": "",
    }
    assert module_cycles(_imports(tree)) == []
    tree["carts/services/events.py"] = "from carts.services import add_to_cart\n"  # the package, not a module
    [violation] = module_cycles(_imports(tree))
    assert violation.message.split(" (")[0] == (
        "import cycle inside a package: carts.services -> carts.services.adding -> carts.services.events -> carts.services"
    )


def test_long_module_checker_flags_a_module_over_the_limit_but_not_tests_or_migrations():
    long, short = "x = 1\n" * 401, "x = 1\n" * 400
    files = [
        ("carts/services/adding.py", long),
        ("carts/services/removal.py", short),
        ("carts/tests/test_adding.py", long),
        ("carts/migrations/0001_initial.py", long),
        ("bench/sweep.py", long),
    ]
    violations = long_modules(files)
    assert [str(v) for v in violations] == [
        "carts/services/adding.py:401: 401 lines: split it by what the code does (max 400)",
        "bench/sweep.py:401: 401 lines: split it by what the code does (max 400)",
    ]


def test_computed_import_checker_flags_names_it_cannot_follow():
    source = (
        "import importlib\n"
        "importlib.import_module('payments.providers.sandbox')\n"  # literal: followed
        "for name in ('sandbox', 'stripe_provider'):\n"
        "    importlib.import_module(f'payments.providers.{name}')\n"
        "__import__(name)\n"
    )
    violations = computed_import_names({"payments.providers": ("payments/providers/__init__.py", source)})
    assert [v.line for v in violations] == [4, 5]

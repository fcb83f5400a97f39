"""Architecture checks over the source tree (STYLE.md 2.12), in place of semgrep rules. The
layers, import cycles and module lengths are checked in test_layers.py.

Each rule is a small checker that takes one file's source and returns violations as
`path:line: what`; the tests at the bottom feed each checker a bad snippet, so that a rule
that could never fail would be noticed.
"""

import ast
import io
from pathlib import Path

import pytest
from django.apps import apps
from django.core.management import call_command
from django.test import override_settings

from core.layers import LAYERS, layer_of
from registrar.tests.sourcetree import (
    ROOT,
    Violation,
    imported_modules,
    is_project_path,
    is_test_file,
    module_package,
    python_files,
    relative,
    report,
    scan,
)

# ui and the interfaces above it only parse, call and render (STYLE 2.1): no models. jobs keeps
# the record of its own runs (JobRun) and of its workers (WorkerHeartbeat), the worker's
# bookkeeping rather than the business's.
INTERFACES = {package for layer in LAYERS[layer_of("ui") : -1] for package in layer}
INTERFACE_MODELS = {"jobs": {"JobRun", "WorkerHeartbeat"}}
# The only module where a model signal may be used: telling a cache that its data changed.
SIGNAL_MODULE_NAME = "cache_invalidation.py"
SIGNAL_NAMES = {"receiver", "post_save", "pre_save", "post_delete", "pre_delete", "m2m_changed"}
CLAIM_WRITE_METHODS = {"create", "bulk_create", "get_or_create", "update_or_create", "update", "bulk_update"}
CLAIM_WRITE_METHODS |= {"delete", "save"}
CLAIM_COMPILED_WRITES = {"CompiledInsert", "CompiledInsertChain", "CompiledUpdate"}
CLAIM_MANAGERS = {"objects", "_default_manager", "_base_manager", "claims"}  # `claims`: the related managers
# The concurrency negative control sleeps on purpose, between counting and inserting, to
# widen the race window that the locks close. No other test may sleep.
SLEEP_ALLOWED_IN = {"capacity/tests/test_concurrency.py"}


# --- the checkers -----------------------------------------------------------------------


def _claim_names(tree: ast.Module) -> set[str]:
    names = {"Claim"}
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom):
            names |= {alias.asname for alias in node.names if alias.name == "Claim" and alias.asname}
    return names


def _is_claim(node: ast.expr, names: set[str]) -> bool:
    return (isinstance(node, ast.Name) and node.id in names) or (
        isinstance(node, ast.Attribute) and node.attr == "Claim"
    )


def _is_claim_rows(node: ast.expr, names: set[str], bound: set[str]) -> bool:
    """Whether `node` is claims: `Claim.objects...`, `<row>.claims...`, `Claim(...)`, a
    `<row>.claim`, `list(...)` of one, or a name bound to one."""
    while True:
        if isinstance(node, ast.Call):
            if isinstance(node.func, ast.Name) and node.func.id in {"list", "sorted", "next", "iter"} and node.args:
                node = node.args[0]
                continue
            if _is_claim(node.func, names):
                return True
            node = node.func
        elif isinstance(node, ast.Attribute):
            if node.attr == "claim" or (
                node.attr in CLAIM_MANAGERS and (node.attr == "claims" or _is_claim(node.value, names))
            ):
                return True
            node = node.value
        elif isinstance(node, ast.Subscript):
            node = node.value
        else:
            return isinstance(node, ast.Name) and node.id in bound


def _names_bound_to_claims(tree: ast.Module, names: set[str]) -> set[str]:
    """Names assigned (or looped over) from claims, to the fixed point: `holds = Claim.objects
    .filter(...)`, `for claim in holds:`, `claim = registration.claim`."""
    bound: set[str] = set()
    while True:
        before = len(bound)
        for node in ast.walk(tree):
            if isinstance(node, ast.Assign | ast.AnnAssign) and node.value is not None:
                targets, value = (node.targets if isinstance(node, ast.Assign) else [node.target]), node.value
            elif isinstance(node, ast.For | ast.comprehension):
                targets, value = [node.target], node.iter
            else:
                continue
            if _is_claim_rows(value, names, bound):
                bound |= {target.id for target in targets if isinstance(target, ast.Name)}
        if len(bound) == before:
            return bound


def claim_writes(source: str, path: str) -> list[Violation]:
    """The ledger is written only by capacity (D1): outside capacity/, no `Claim(...)`, no
    create/update/delete through `Claim.objects`, a `<row>.claims` manager or a queryset or row
    of claims, no `.save()`/`.delete()` of a claim, no compiled INSERT of claims. Other
    apps call capacity.services (claim_seats, release_claims, promote_claims, confirm_claims,
    cancel_claims)."""
    tree = ast.parse(source, path)
    names = _claim_names(tree)
    bound = _names_bound_to_claims(tree, names)
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if _is_claim(func, names):
            found.append(Violation(path, node.lineno, "constructs a Claim outside capacity/"))
        elif (
            isinstance(func, ast.Attribute)
            and func.attr in CLAIM_WRITE_METHODS
            and _is_claim_rows(func.value, names, bound)
        ):
            found.append(Violation(path, node.lineno, f"writes claims with .{func.attr}() outside capacity/"))
        elif (
            isinstance(func, ast.Name | ast.Attribute)
            and (func.id if isinstance(func, ast.Name) else func.attr) in CLAIM_COMPILED_WRITES
            and any(_is_claim(part, names) for arg in node.args for part in ast.walk(arg))
        ):
            found.append(Violation(path, node.lineno, "compiles a Claim write outside capacity/"))
    return sorted(found, key=lambda v: v.line)


def signal_uses(source: str, path: str) -> list[Violation]:
    """No business logic in model signals (2.2, 2.13); only a cache_invalidation.py may use them."""
    tree = ast.parse(source, path)
    # `field.pre_save(obj, add=True)` is the Field method; a signal is never called itself.
    called = {id(node.func) for node in ast.walk(tree) if isinstance(node, ast.Call)}
    found = set()
    for node in ast.walk(tree):
        name = None
        if isinstance(node, ast.Name):
            name = node.id
        elif isinstance(node, ast.Attribute) and id(node) not in called:
            name = node.attr
        elif isinstance(node, ast.alias):
            name = node.name.split(".")[-1]
        if name in SIGNAL_NAMES:
            # ast.alias has a line number on Python 3.10+.
            found.add(Violation(path, node.lineno, f"uses the model signal {name!r} outside {SIGNAL_MODULE_NAME}"))
    return sorted(found, key=lambda v: v.line)


def _bound_names(tree: ast.Module, module: str, attribute: str) -> tuple[set[str], set[str]]:
    """Names that refer to `module` itself, and names bound to `module.attribute`."""
    modules, attributes = {module}, set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            modules |= {alias.asname for alias in node.names if alias.name == module and alias.asname}
        elif isinstance(node, ast.ImportFrom) and node.module == module and not node.level:
            attributes |= {alias.asname or alias.name for alias in node.names if alias.name == attribute}
    return modules, attributes


def clock_and_sleep(source: str, path: str, *, sleep_allowed: bool = False) -> list[Violation]:
    """Tests read the time through django.utils.timezone.now() and move it with time-machine;
    they never call datetime.now()/utcnow() and never sleep (X4, 2.10)."""
    tree = ast.parse(source, path)
    _, datetime_classes = _bound_names(tree, "datetime", "datetime")
    datetime_classes.add("datetime")
    time_modules, sleeps = _bound_names(tree, "time", "sleep")
    found = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call):
            continue
        func = node.func
        if isinstance(func, ast.Attribute) and func.attr in {"now", "utcnow"}:
            owner = func.value
            if (isinstance(owner, ast.Name) and owner.id in datetime_classes) or (
                isinstance(owner, ast.Attribute) and owner.attr == "datetime"
            ):
                found.append(
                    Violation(path, node.lineno, f"datetime.{func.attr}() in a test: use django.utils.timezone.now()")
                )
        if sleep_allowed:
            continue
        is_sleep = (
            isinstance(func, ast.Attribute)
            and func.attr == "sleep"
            and isinstance(func.value, ast.Name)
            and func.value.id in time_modules
        ) or (isinstance(func, ast.Name) and func.id in sleeps)
        if is_sleep:
            found.append(Violation(path, node.lineno, "time.sleep() in a test: move time with time_machine instead"))
    return found


def missing_migrations(app_dirs: list[tuple[str, Path, bool]]) -> list[Violation]:
    """(label, app directory, has models): every app with models has a migrations package
    with at least one migration."""
    found = []
    for label, directory, has_models in app_dirs:
        migrations = directory / "migrations"
        if has_models and not ((migrations / "__init__.py").is_file() and any(migrations.glob("[0-9]*.py"))):
            where = migrations.relative_to(ROOT).as_posix() if migrations.is_relative_to(ROOT) else str(migrations)
            found.append(Violation(where, 0, f"app {label!r} has models but no migrations"))
    return found


# --- the rules, over the real tree --------------------------------------------------------


def test_the_tree_is_found():
    """Guards the other checks against passing because they looked at nothing."""
    assert (ROOT / "capacity" / "services.py").is_file()
    assert len(list(python_files())) > 50


def test_claims_are_written_only_in_capacity():
    paths = (path for path in python_files() if relative(path).split("/")[0] != "capacity")
    violations = scan(paths, claim_writes)
    assert not violations, report(violations, "claims are created, updated and deleted only by capacity.services")


def test_no_model_signals_outside_cache_invalidation_modules():
    paths = (path for path in python_files() if path.name != SIGNAL_MODULE_NAME)
    violations = scan(paths, signal_uses)
    assert not violations, report(violations, "no @receiver / post_save / pre_save outside cache_invalidation.py")


def test_tests_neither_read_the_wall_clock_nor_sleep():
    violations = [
        violation
        for path in python_files()
        if is_test_file(relative(path))
        for violation in clock_and_sleep(
            path.read_text(encoding="utf-8"), relative(path), sleep_allowed=relative(path) in SLEEP_ALLOWED_IN
        )
    ]
    assert not violations, report(violations, "tests use timezone.now() and time_machine, never the wall clock")


def project_app_configs() -> list:
    return [config for config in apps.get_app_configs() if is_project_path(Path(config.path))]


def test_every_project_app_with_models_has_migrations():
    app_dirs = [(config.label, Path(config.path), bool(list(config.get_models()))) for config in project_app_configs()]
    violations = missing_migrations(app_dirs)
    assert not violations, report(violations, "every app with models has migrations")


def test_interface_apps_have_no_models():
    with_models = {
        config.label: sorted({m.__name__ for m in config.get_models()} - INTERFACE_MODELS.get(config.label, set()))
        for config in project_app_configs()
        if config.label in INTERFACES
    }
    assert with_models, "no interface app is installed"
    assert not any(with_models.values()), f"interface apps hold no models: {with_models}"


def run_makemigrations_check(*app_labels: str) -> str | None:
    """None when no migration is missing, else what makemigrations would write."""
    output = io.StringIO()
    try:
        call_command("makemigrations", *app_labels, "--check", "--dry-run", stdout=output, stderr=output)
    except SystemExit:
        return output.getvalue()
    return None


@pytest.mark.django_db
def test_makemigrations_check_finds_nothing_to_write():
    missing = run_makemigrations_check()
    assert missing is None, f"models and migrations differ; run `manage.py makemigrations`:\n{missing}"


# --- each checker can fail ----------------------------------------------------------------


def test_claim_checker_flags_construction_and_bulk_writes():
    source = (
        "from capacity.models import Claim as Seat\n"
        "Claim.objects.filter(state='held').count()\n"
        "Claim.objects.create(offering_id=1)\n"
        "Seat.objects.bulk_create([])\n"
        "x = models.Claim(offering_id=1)\n"
        "offering.claims.create(state='held')\n"
        "Claim.objects.get_or_create(pk=1)\n"
        "querycache.CompiledInsert(Seat)\n"
        "CompiledInsertChain(Cart, (Claim, {'cart_id': 0}))\n"
        "CompiledInsertChain(Cart, (AuditEvent, {'subject_id': 0}))\n"
    )
    violations = claim_writes(source, "orders/services.py")
    assert [v.line for v in violations] == [3, 4, 5, 6, 7, 8, 9]
    assert str(violations[0]) == "orders/services.py:3: writes claims with .create() outside capacity/"
    assert claim_writes("Order.objects.create(total=0)\nLine.objects.bulk_create([])\n", "orders/x.py") == []


def test_claim_checker_flags_updates_deletes_and_saves():
    source = (
        "Claim.objects.filter(pk__in=ids).update(state='confirmed')\n"
        "Claim.objects.filter(pk=1).exclude(state='cancelled').update(state='cancelled')\n"
        "holds = Claim.objects.filter(state='held')\n"
        "holds.update(state='released')\n"
        "for claim in holds:\n"
        "    claim.save()\n"
        "registration.claim.delete()\n"
        "offering.claims.all().delete()\n"
        "first = list(Claim.objects.all())[0]\n"
        "first.save(update_fields=['state'])\n"
        "CompiledUpdate(Claim, ['state'])\n"
        "Claim.objects.bulk_update(rows, ['state'])\n"
    )
    violations = claim_writes(source, "payments/services.py")
    assert [v.line for v in violations] == [1, 2, 4, 6, 7, 8, 10, 11, 12]
    assert str(violations[2]) == "payments/services.py:4: writes claims with .update() outside capacity/"
    reads = (
        "claim = Claim.objects.filter(pk=1).first()\n"
        "claim.refresh_from_db()\n"
        "state = registration.claim.state\n"
        "Order.objects.filter(pk=1).update(status='paid')\n"
        "order.save()\n"
        "confirm_claims(claim_ids=[claim.pk])\n"
    )
    assert claim_writes(reads, "payments/services.py") == []


def test_signal_checker_flags_receivers_and_save_signals():
    source = (
        "from django.db.models.signals import post_save\n"
        "from django.dispatch import receiver\n"
        "@receiver(post_save, sender=Cart)\n"
        "def on_save(**kw): pass\n"
        "signals.pre_save.connect(handler)\n"
    )
    violations = signal_uses(source, "carts/models.py")
    assert [v.line for v in violations] == [1, 2, 3, 3, 5]
    assert str(violations[-1]) == "carts/models.py:5: uses the model signal 'pre_save' outside cache_invalidation.py"
    assert signal_uses("def notify_receiver(): return 'post_save'\n", "notifications/x.py") == []
    assert signal_uses("value = field.pre_save(obj, add=True)\n", "core/querycache/") == []


def test_clock_checker_flags_wall_clock_reads_and_sleeps():
    source = (
        "import time\n"
        "import time as t\n"
        "import datetime as dtmod\n"
        "from datetime import UTC, datetime\n"
        "from time import sleep as nap\n"
        "from django.utils import timezone\n"
        "timezone.now()\n"
        "datetime.now(UTC)\n"
        "dtmod.datetime.utcnow()\n"
        "time.sleep(1)\n"
        "t.sleep(0.1)\n"
        "nap(2)\n"
        "asyncio.sleep(0)\n"
    )
    violations = clock_and_sleep(source, "carts/tests/test_x.py")
    assert [v.line for v in violations] == [8, 9, 10, 11, 12]
    assert str(violations[2]) == "carts/tests/test_x.py:10: time.sleep() in a test: move time with time_machine instead"
    allowed = clock_and_sleep(source, "capacity/tests/test_concurrency.py", sleep_allowed=True)
    assert [v.line for v in allowed] == [8, 9]


def test_relative_imports_resolve_from_the_package():
    assert module_package("carts/tests/test_x.py") == ["carts", "tests"]
    assert module_package("carts/__init__.py") == ["carts"]
    source = "from . import api\nfrom .. import api\nfrom ... import api\n"  # carts.tests.api, carts.api, api
    modules = sorted(set(imported_modules(ast.parse(source), "carts/tests/test_x.py")))
    assert modules == [(1, "carts.tests"), (1, "carts.tests.api"), (2, "carts"), (2, "carts.api"), (3, ""), (3, "api")]


def test_test_files_are_recognised():
    assert is_test_file("carts/tests/factories.py")
    assert is_test_file("conftest.py")
    assert is_test_file("registrar/test_something.py")
    assert not is_test_file("carts/services.py")


def test_migrations_checker_flags_an_app_with_models_and_no_migrations(tmp_path):
    (tmp_path / "empty" / "migrations").mkdir(parents=True)
    (tmp_path / "empty" / "migrations" / "__init__.py").write_text("")
    (tmp_path / "done" / "migrations").mkdir(parents=True)
    (tmp_path / "done" / "migrations" / "__init__.py").write_text("")
    (tmp_path / "done" / "migrations" / "0001_initial.py").write_text("")
    violations = missing_migrations(
        [
            ("empty", tmp_path / "empty", True),
            ("nothing", tmp_path / "nothing", True),
            ("done", tmp_path / "done", True),
            ("modelless", tmp_path / "modelless", False),
        ]
    )
    assert [v.message for v in violations] == [
        "app 'empty' has models but no migrations",
        "app 'nothing' has models but no migrations",
    ]
    assert violations[0].path == f"{tmp_path}/empty/migrations"


@pytest.mark.django_db
def test_makemigrations_check_fails_when_a_migration_is_missing(tmp_path, monkeypatch):
    # Pointing an app at an empty migrations package makes all its models new. The package
    # must exist: for a missing one, Django creates the directory even on a dry run.
    (tmp_path / "empty_migrations_for_the_check").mkdir()
    (tmp_path / "empty_migrations_for_the_check" / "__init__.py").write_text("")
    monkeypatch.syspath_prepend(str(tmp_path))
    with override_settings(MIGRATION_MODULES={"audit": "empty_migrations_for_the_check"}):
        missing = run_makemigrations_check("audit")
    assert list((tmp_path / "empty_migrations_for_the_check").iterdir()) == [
        tmp_path / "empty_migrations_for_the_check" / "__init__.py"
    ], "a dry run wrote files"
    assert missing is not None
    assert "Create model AuditEvent" in missing

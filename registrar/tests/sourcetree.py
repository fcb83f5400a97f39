"""Reading the source tree for the architecture checks (test_architecture.py, test_layers.py):
which files there are, which are tests, what each one imports."""

import ast
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SKIPPED_DIRS = {".venv", "venv", "var", ".git", "node_modules", "__pycache__", ".hypothesis", ".pytest_cache"}
SKIPPED_DIRS |= {".ruff_cache", ".mypy_cache"}


@dataclass(frozen=True)
class Violation:
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        return f"{self.path}:{self.line}: {self.message}"


def python_files(*tops: str) -> Iterator[Path]:
    """Every project .py file under these top-level directories (all of them if none)."""
    starts = [ROOT / top for top in tops] if tops else [ROOT]
    for start in starts:
        if not start.is_dir():
            continue
        for path in sorted(start.rglob("*.py")):
            if not SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts):
                yield path


def is_project_path(path: Path) -> bool:
    path = path.resolve()
    return path.is_relative_to(ROOT) and not SKIPPED_DIRS.intersection(path.relative_to(ROOT).parts)


def relative(path: Path) -> str:
    return path.relative_to(ROOT).as_posix()


def is_test_file(path: str) -> bool:
    parts = path.split("/")
    return "tests" in parts[:-1] or parts[-1].startswith("test_") or parts[-1] == "conftest.py"


def is_migration(path: str) -> bool:
    return "migrations" in path.split("/")[:-1]


def scan(paths: Iterable[Path], checker: Callable[[str, str], list[Violation]]) -> list[Violation]:
    return [violation for path in paths for violation in checker(path.read_text(encoding="utf-8"), relative(path))]


def report(violations: list[Violation], rule: str) -> str:
    return f"{rule}:\n" + "\n".join(f"  {violation}" for violation in violations)


def module_package(path: str) -> list[str]:
    """Where a module's relative imports start: carts/tests/test_x.py and carts/tests/__init__.py
    both resolve `from . import y` to carts.tests.y."""
    return path.removesuffix(".py").split("/")[:-1]


def module_name(path: str) -> str:
    """carts/services/adding.py -> carts.services.adding; carts/services/__init__.py -> carts.services."""
    return ".".join(path.removesuffix(".py").removesuffix("/__init__").split("/"))


def _from_module(node: ast.ImportFrom, path: str) -> str:
    if not node.level:
        return node.module or ""
    package = module_package(path)
    base = package[: len(package) - (node.level - 1)]
    return ".".join([*base, *([node.module] if node.module else [])])


def _dynamic_import(node: ast.AST) -> str | None:
    """The literal name of `import_module("x")` / `__import__("x")`, if `node` is one."""
    if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Constant):
        name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
        if name in {"import_module", "__import__"} and isinstance(node.args[0].value, str):
            return node.args[0].value
    return None


def computed_imports(tree: ast.Module) -> Iterator[int]:
    """Lines of `import_module(...)` / `__import__(...)` whose name is computed (an f-string, a
    variable): an import no check can follow."""
    for node in sorted(ast.walk(tree), key=lambda node: getattr(node, "lineno", 0)):
        if isinstance(node, ast.Call) and node.args and not isinstance(node.args[0], ast.Constant):
            name = node.func.attr if isinstance(node.func, ast.Attribute) else getattr(node.func, "id", "")
            if name in {"import_module", "__import__"}:
                yield node.lineno


def imported_modules(tree: ast.Module, path: str) -> Iterator[tuple[int, str]]:
    """(line, absolute module name) for every import, relative ones resolved, and for
    `import_module("x")` / `__import__("x")` calls with a literal name. `from a import b`
    yields both a and a.b: b may be a module."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                yield node.lineno, alias.name
        elif isinstance(node, ast.ImportFrom):
            module = _from_module(node, path)
            yield node.lineno, module
            for alias in node.names:  # `from . import api` brings in a module too
                yield node.lineno, f"{module}.{alias.name}" if module else alias.name
        elif (name := _dynamic_import(node)) is not None:
            yield node.lineno, name


def _nearest(name: str, known: set[str]) -> str | None:
    """The project module `name` is, or is in (`a.b.C`: the module a.b); None outside the project."""
    while name not in known:
        if "." not in name:
            return None
        name = name.rsplit(".", 1)[0]
    return name


def import_targets(tree: ast.Module, path: str, known: set[str]) -> Iterator[tuple[int, str]]:
    """(line, project module) for each module this one depends on, among `known`: the module
    named by `import a.b` or `import_module("a.b")`; for `from a import b`, the module a.b if
    there is one, else a, where b is defined. Imports anywhere in the file count, in a function
    or under TYPE_CHECKING too: a lazy import hides a dependency, it does not remove it. The
    packages Python initialises on the way to a module (a, for a.b) are not counted, so a
    package's __init__ may re-export its modules' names, as long as none of them imports the
    package itself."""
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            for alias in node.names:
                if (target := _nearest(alias.name, known)) is not None:
                    yield node.lineno, target
        elif isinstance(node, ast.ImportFrom):
            module = _from_module(node, path)
            for alias in node.names:
                submodule = f"{module}.{alias.name}" if module else alias.name
                target = submodule if submodule in known else _nearest(module, known)
                if target is not None:
                    yield node.lineno, target
        elif (name := _dynamic_import(node)) is not None and (target := _nearest(name, known)) is not None:
            yield node.lineno, target

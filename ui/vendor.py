"""Refresh the vendored front-end files from the npm registry: `make vendor` (python -m ui.vendor).

ui/vendor.json names each package, its pinned version and npm's integrity hash of the tarball,
where its files go and which files are taken. The machine's npm fetches each tarball into a
temporary directory (`npm pack`, nothing installed, no scripts run); this script checks the
tarball's integrity, then copies out only the listed files plus every file that a listed
stylesheet references with url(...) (USWDS's fonts and icons), and records the sha256 of each
file it wrote, so that `python -m ui.vendor --check` (and a test) notices a file changed by hand
or a version changed without refreshing the files. Source-map comments are dropped because the
maps are not shipped (collectstatic's manifest storage would look for them).

Run with --update after changing a version: it records the new tarball's integrity instead of
refusing it. CI never runs this: the vendored files are committed.
"""

import argparse
import base64
import hashlib
import json
import posixpath
import re
import shutil
import subprocess
import sys
import tarfile
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MANIFEST = ROOT / "ui" / "vendor.json"
CSS_URL = re.compile(r"url\(\s*['\"]?([^'\")]*?)['\"]?\s*\)")
SOURCE_MAP_LINE = re.compile(rb"\n?(/\*# sourceMappingURL=[^*]*\*/|//# sourceMappingURL=\S*)\s*$")


class VendorError(Exception):
    pass


def npm_pack(spec: str, into: Path) -> tuple[Path, str]:
    """Download one package tarball with npm; return its path and npm's integrity string."""
    npm = shutil.which("npm")
    if npm is None:
        raise VendorError("npm is not installed (apt-get install npm); it is needed only to refresh vendored files")
    command = [npm, "pack", "--json", "--ignore-scripts", "--pack-destination", str(into), spec]
    result = subprocess.run(command, cwd=into, capture_output=True, text=True, check=False)  # noqa: S603 (fixed argv)
    if result.returncode != 0:
        raise VendorError(f"npm pack {spec} failed:\n{result.stderr}")
    (packed,) = json.loads(result.stdout)
    return into / packed["filename"], packed["integrity"]


def tarball_integrity(path: Path) -> str:
    return "sha512-" + base64.b64encode(hashlib.sha512(path.read_bytes()).digest()).decode()


def css_references(css: bytes, css_path: str) -> list[str]:
    """Package-relative paths of the local files a stylesheet points at (fonts, images)."""
    found = []
    for url in CSS_URL.findall(css.decode("utf-8")):
        if not url or url.startswith(("data:", "http:", "https:", "//", "#")):
            continue
        path = url.split("#", 1)[0].split("?", 1)[0]
        found.append(posixpath.normpath(posixpath.join(posixpath.dirname(css_path), path)))
    return sorted(set(found))


def strip_source_map(content: bytes) -> bytes:
    return SOURCE_MAP_LINE.sub(b"\n", content)


def copy_package(tarball: Path, package: dict) -> dict[str, str]:
    """Write the package's files under its dest; return {path under dest: sha256}."""
    dest = ROOT / package["dest"]
    prefix = package["strip_prefix"]
    with tarfile.open(tarball, "r:gz") as archive:

        def read(path: str) -> bytes:
            member = archive.extractfile(f"package/{path}")
            if member is None:
                raise VendorError(f"{path} is not a file in {tarball.name}")
            return member.read()

        wanted = list(package["files"])
        contents: dict[str, bytes] = {}
        while wanted:
            path = wanted.pop()
            if path in contents:
                continue
            contents[path] = read(path)
            if path.endswith(".css"):
                wanted.extend(css_references(contents[path], path))
    if dest.exists():
        shutil.rmtree(dest)
    hashes = {}
    for path, content in sorted(contents.items()):
        if path.endswith((".js", ".css")):
            content = strip_source_map(content)
        relative = path.removeprefix(prefix)
        target = dest / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(content)
        hashes[relative] = hashlib.sha256(content).hexdigest()
    return hashes


def vendor(*, update: bool) -> None:
    manifest = json.loads(MANIFEST.read_text())
    with tempfile.TemporaryDirectory(prefix="registrar-vendor-") as tmp:
        for name, package in manifest["packages"].items():
            spec = f"{name}@{package['version']}"
            tarball, integrity = npm_pack(spec, Path(tmp))
            if tarball_integrity(tarball) != integrity:
                raise VendorError(f"{spec}: the tarball does not match npm's integrity {integrity}")
            if package.get("integrity") and package["integrity"] != integrity and not update:
                raise VendorError(f"{spec}: integrity {integrity} differs from ui/vendor.json; run with --update")
            package["integrity"] = integrity
            package["sha256"] = copy_package(tarball, package)
            print(f"{spec}: {len(package['sha256'])} files in {package['dest']}")  # noqa: T201
    MANIFEST.write_text(json.dumps(manifest, indent=2) + "\n")


def check() -> list[str]:
    """Problems with the vendored files on disk against ui/vendor.json (no network)."""
    problems = []
    for name, package in json.loads(MANIFEST.read_text())["packages"].items():
        dest = ROOT / package["dest"]
        recorded = package.get("sha256", {})
        if not recorded:
            problems.append(f"{name}: no files recorded; run `make vendor`")
        on_disk = {p.relative_to(dest).as_posix() for p in dest.rglob("*") if p.is_file()} if dest.is_dir() else set()
        for extra in sorted(on_disk - set(recorded)):
            problems.append(f"{name}: {package['dest']}/{extra} is not from the package")
        for path, digest in sorted(recorded.items()):
            file = dest / path
            if not file.is_file():
                problems.append(f"{name}: {package['dest']}/{path} is missing")
            elif hashlib.sha256(file.read_bytes()).hexdigest() != digest:
                problems.append(f"{name}: {package['dest']}/{path} differs from version {package['version']}")
    return problems


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--update", action="store_true", help="accept and record a new tarball integrity")
    parser.add_argument("--check", action="store_true", help="only compare the files on disk with ui/vendor.json")
    args = parser.parse_args()
    try:
        if args.check:
            problems = check()
            print("\n".join(problems) or "vendored files match ui/vendor.json")  # noqa: T201
            return 1 if problems else 0
        vendor(update=args.update)
    except VendorError as error:
        print(f"make vendor: {error}", file=sys.stderr)  # noqa: T201
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())

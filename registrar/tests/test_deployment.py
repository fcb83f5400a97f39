"""The deployment recipe (README, "Deploying"): compose.yaml is valid against the Compose
specification (the schema check-jsonschema vendors; Docker is not needed) and describes the
production layout: one PostgreSQL, a one-off migrate, N web processes under gunicorn with
the project's configuration, M workers, every setting from the environment."""

import subprocess
import sys
from pathlib import Path

from ruamel.yaml import YAML

ROOT = Path(__file__).resolve().parent.parent.parent
COMPOSE = ROOT / "compose.yaml"


def compose() -> dict:
    return YAML(typ="safe").load(COMPOSE.read_text())


def test_compose_file_is_valid_against_the_compose_specification():
    checked = subprocess.run(
        [
            str(Path(sys.executable).with_name("check-jsonschema")),
            "--builtin-schema",
            "vendor.compose-spec",
            str(COMPOSE),
        ],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_compose_describes_the_production_layout():
    services = compose()["services"]
    assert set(services) == {"db", "migrate", "web", "worker", "mail"}
    web, worker, migrate = services["web"], services["worker"], services["migrate"]
    assert worker["command"] == ["python", "manage.py", "worker"]
    assert migrate["command"] == ["python", "manage.py", "migrate", "--noinput"]
    for service in (web, worker):
        assert service["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        environment = service["environment"]
        assert environment["DJANGO_ENV"] == "production"
        assert environment["DATABASE_URL"].endswith("@db:5432/registrar")
        assert environment["SECRET_KEY"].startswith("${SECRET_KEY:?")
    assert web["environment"]["PROMETHEUS_MULTIPROC_DIR"]
    assert "/health/live" in " ".join(web["healthcheck"]["test"])
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'CMD ["gunicorn", "-c", "python:registrar.gunicorn_conf", "registrar.wsgi"]' in dockerfile
    assert "requirements/constraints.txt" in dockerfile
    assert "collectstatic" in dockerfile


def test_the_gunicorn_configuration_loads(monkeypatch, tmp_path):
    from gunicorn.app.base import Application
    from gunicorn.config import Config

    monkeypatch.setenv("WEB_CONCURRENCY", "3")
    monkeypatch.setenv("PROMETHEUS_MULTIPROC_DIR", str(tmp_path / "prometheus"))

    class Loader(Application):
        def init(self, parser, opts, args):
            return None

        def load(self):
            return None

    app = Loader.__new__(Loader)
    app.cfg = Config()
    app.load_config_from_module_name_or_filename("python:registrar.gunicorn_conf")
    assert (app.cfg.workers, app.cfg.bind, app.cfg.worker_class_str) == (3, ["0.0.0.0:8000"], "sync")
    # a long address reaches the API, which answers 414 in its JSON shape, before gunicorn's HTML 414
    from core.middleware import MAX_REQUEST_TARGET

    assert app.cfg.limit_request_line > MAX_REQUEST_TARGET + len("DELETE  HTTP/1.1")
    app.cfg.on_starting(None)
    assert (tmp_path / "prometheus").is_dir()

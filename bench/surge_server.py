"""bench/surge.py's server and meter: gunicorn as a child process, and where the machine's CPU
went during a run (/proc)."""

import os
import pwd
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from bench_support import machine_busy, process_cpu
from surge_fixtures import ROOT


class Server:
    """gunicorn registrar.wsgi with sync workers, in the foreground as our child process."""

    def __init__(self, *, workers: int, port: int, env: dict[str, str]) -> None:
        self.workers, self.port, self.env = workers, port, env
        self.logfile = tempfile.NamedTemporaryFile(prefix="surge-gunicorn-", suffix=".log", delete=False)  # noqa: SIM115
        self.process: subprocess.Popen[bytes] | None = None

    def __enter__(self) -> "Server":
        try:  # another server there would answer our load and pass the checks as ours
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
        except OSError:
            pass
        else:
            raise SystemExit(f"something already listens on 127.0.0.1:{self.port}: choose --port (or SURGE_PORT)")
        gunicorn = Path(sys.executable).with_name("gunicorn")
        command = [str(gunicorn), "registrar.wsgi", "--workers", str(self.workers)]
        command += ["--bind", f"127.0.0.1:{self.port}", "--no-control-socket", "--log-level", "warning"]
        self.process = subprocess.Popen(command, cwd=ROOT, env=self.env, stdout=self.logfile, stderr=self.logfile)
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline and self.process.poll() is None:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
                return self
            except OSError:
                time.sleep(0.2)
        failure = (
            f"gunicorn did not listen on 127.0.0.1:{self.port} (exit code {self.process.poll()}):\n{self.log_tail()}"
        )
        self.__exit__()
        raise SystemExit(failure)

    def __exit__(self, *exc: object) -> None:
        if self.process and self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(timeout=30)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        self.logfile.close()
        os.unlink(self.logfile.name)

    def log_tail(self, lines: int = 30) -> str:
        self.logfile.flush()
        return "\n".join(Path(self.logfile.name).read_text(errors="replace").splitlines()[-lines:])


def processes(*, parent: int | None = None, uid: int | None = None) -> list[int]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            if uid is not None and entry.stat().st_uid != uid:
                continue
            if parent is not None and int((entry / "stat").read_text().rpartition(")")[2].split()[1]) != parent:
                continue
        except OSError:
            continue
        found.append(int(entry.name))
    return found


def postgres_processes(database: str) -> list[int]:
    """The backends connected to `database` and PostgreSQL's own background processes (WAL writer,
    checkpointer, ...); not other databases' backends, which are other people's work here."""
    try:
        uid = pwd.getpwnam("postgres").pw_uid
    except KeyError:
        return []
    found = []
    for pid in processes(uid=uid):
        try:
            title = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        if title.startswith("postgres: "):  # not the postmaster itself
            backend = re.search(r" (\S+) (?:\S+\(\d+\)|\[local\])", title)  # "user database host(port)"
            if backend is None or backend.group(1) == database:
                found.append(pid)
    return found


class CpuMeter:
    """CPU seconds used during a run by the gunicorn workers, PostgreSQL (`postgres_processes`; a
    backend that exits during the run, as one does when CONN_MAX_AGE runs out, is missed), this
    process (the load generator) and everything else on the machine: other people's work."""

    def __init__(self, server_pid: int, database: str) -> None:
        self.server_pid, self.database = server_pid, database

    def sample(self) -> dict[str, object]:
        return {
            "app": sum(process_cpu(pid) for pid in processes(parent=self.server_pid)),
            "postgres": {pid: process_cpu(pid) for pid in postgres_processes(self.database)},
            "client": sum(os.times()[:2]),
            "machine": machine_busy(),
        }

    @staticmethod
    def per_request(before: dict[str, object], after: dict[str, object], requests: int) -> dict[str, float]:
        spent = {
            "app": after["app"] - before["app"],
            # Per backend: one that exited counts nothing rather than minus what it had used before.
            "postgres": sum(cpu - before["postgres"].get(pid, 0.0) for pid, cpu in after["postgres"].items()),
            "client": after["client"] - before["client"],
        }
        spent["others"] = max(after["machine"] - before["machine"] - sum(spent.values()), 0.0)
        return {key: round(seconds * 1000 / requests, 2) for key, seconds in spent.items()}

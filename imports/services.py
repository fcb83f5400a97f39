"""CSV imports of offerings and households (issue 14): a dry run first, then chunks.

`plan_import` reads the whole file and plans every row (imports.policies) without writing a
catalog or household row: the administrator sees what would be created, changed, left as is
or refused, row by row. `run_import_chunk` (the page, while it is open) and `apply_running_imports` (the
worker, for an import whose tab was closed) apply the next CHUNK rows in one short
transaction, planning them again with the same functions against what exists now (so what
another change made meanwhile is seen). A chunk takes a fixed number of queries, and an
offering's capacity lock only for the offerings of that chunk whose capacity it lowers."""

import csv
import io
import time
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from django.db import transaction
from django.db.models.functions import Lower
from django.utils import timezone

from audit.models import Channel
from audit.services import event, record_many
from capacity.locks import lock_offerings
from capacity.selectors import claim_counts
from catalog.models import Offering, Program
from core.words import counted
from households.models import Household, Participant
from imports import policies
from imports.errors import ImportNotFound, ImportNotRunnable, InvalidImport
from imports.models import ImportRun
from organizations.models import Organization, Permission, StaffMembership
from organizations.services import require_permission

CHUNK = 250
MAX_ROWS = 20_000
MAX_BYTES = 5_000_000
COLUMNS: dict[str, tuple[str, ...]] = {
    ImportRun.Kind.OFFERINGS: policies.OFFERING_COLUMNS,
    ImportRun.Kind.HOUSEHOLDS: policies.HOUSEHOLD_COLUMNS,
}
PERMISSION: dict[str, str] = {
    ImportRun.Kind.OFFERINGS: Permission.MANAGE_CATALOG,
    ImportRun.Kind.HOUSEHOLDS: Permission.MANAGE_SETTINGS,
}


def read_rows(text: str, kind: str) -> list[dict[str, str]]:
    """The file's rows as dicts; a missing required column or an oversized file is refused."""
    if len(text.encode()) > MAX_BYTES:
        raise InvalidImport(f"The file is larger than {MAX_BYTES // 1_000_000} MB.", fields={"file": "too large"})
    if "\x00" in text:  # PostgreSQL cannot store it (the run keeps the file's text): refused, not a 500
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise InvalidImport(
            f"Line {line} holds a NUL character, so this is not a text file: save it as CSV in UTF-8 and try again.",
            fields={"file": "a NUL character"},
        )
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    header = [name.strip() for name in reader.fieldnames or []]
    key = COLUMNS[kind][0]
    if key not in header:
        raise InvalidImport(
            f"The first line must name the columns, including {key!r}; the columns are: {', '.join(COLUMNS[kind])}.",
            fields={"file": f"no {key} column"},
        )
    rows = [{(k or "").strip(): v for k, v in row.items()} for row in reader]
    if len(rows) > MAX_ROWS:
        raise InvalidImport(f"At most {MAX_ROWS} rows per file.", fields={"file": "too many rows"})
    return rows


def _known_offerings(organization_id: int, codes: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    offerings = Offering.objects.filter(organization_id=organization_id, is_archived=False).exclude(code="")
    if codes is not None:
        offerings = offerings.filter(code__in=list(codes))
    fields = (
        "id",
        "code",
        "kind",
        "name",
        "price",
        "capacity",
        "min_age",
        "max_age",
        "age_cutoff_on",
        "starts_on",
        "ends_on",
        "registration_opens_at",
        "program__name",
    )
    return {
        row["code"]: {k: v for k, v in row.items() if k not in ("code", "program__name")}
        | {"program": row["program__name"]}
        for row in offerings.values(*fields)
    }


def _known_households(organization_id: int, emails: Iterable[str] | None = None) -> dict[str, dict[str, Any]]:
    households = Household.objects.filter(organization_id=organization_id).annotate(key=Lower("email"))
    if emails is not None:
        households = households.filter(key__in=list(emails))
    known: dict[str, dict[str, Any]] = {
        h.key: {"id": h.pk, "name": h.name, "phone": h.phone, "people": set()} for h in households.order_by("pk")
    }
    by_id = {entry["id"]: entry for entry in known.values()}
    for first, last, born, household_id in Participant.objects.filter(household_id__in=list(by_id)).values_list(
        "first_name", "last_name", "date_of_birth", "household_id"
    ):
        by_id[household_id]["people"].add((first.lower(), last.lower(), born))
    return known


def _plan(
    kind: str,
    rows: list[dict[str, str]],
    known: dict[str, dict[str, Any]],
    organization: Organization,
    first_line: int = 2,
) -> list[policies.RowPlan]:
    if kind == ImportRun.Kind.OFFERINGS:
        return [policies.plan_offering(first_line + i, row, known, organization.zone) for i, row in enumerate(rows)]
    return [policies.plan_household(first_line + i, row, known) for i, row in enumerate(rows)]


def plan_import(*, membership: StaffMembership, kind: str, text: str, filename: str = "") -> ImportRun:
    """The dry run: every row planned, nothing of the catalog or households written. The run
    (with its plan) is kept so that the same file can then be applied."""
    if kind not in COLUMNS:
        raise InvalidImport("Choose offerings or households.", fields={"kind": "offerings or households"})
    require_permission(membership, PERMISSION[kind])
    rows = read_rows(text, kind)
    organization = membership.organization
    known = (
        _known_offerings(organization.pk) if kind == ImportRun.Kind.OFFERINGS else _known_households(organization.pk)
    )
    plan = _plan(kind, rows, known, organization)
    return ImportRun.objects.create(
        organization_id=organization.pk,
        kind=kind,
        filename=filename[:200],
        text=text,
        total=len(rows),
        plan=[row.as_json() for row in plan],
        created_by_id=membership.user_id,
        created_at=timezone.now(),
    )


def access_import(membership: StaffMembership, run_id: int) -> ImportRun:
    run = ImportRun.objects.filter(organization_id=membership.organization_id, pk=run_id).first()
    if run is None:
        raise ImportNotFound
    require_permission(membership, PERMISSION[run.kind])
    return run


def run_import_chunk(*, membership: StaffMembership, run_id: int, chunk: int = CHUNK) -> ImportRun:
    """Apply the next `chunk` rows of a planned import, in this one transaction; returns the
    run with its progress (`done` of `total`). Safe to call again after a failure, from two
    tabs or while the worker continues it (`apply_running_imports`): the run row is locked,
    and a chunk applied is never applied twice."""
    run = access_import(membership, run_id)
    return _apply_chunk(run.pk, actor_id=membership.user_id, channel=Channel.OFFICE, chunk=chunk)


def apply_running_imports(*, now: datetime, budget_seconds: float = 20.0, chunk: int = CHUNK) -> int:
    """The worker's part (decision 0018): continue every import that was started (running),
    oldest first, chunk by chunk, until `budget_seconds` of this run are spent, so a long import
    finishes with its tab closed, and the progress bar shows it when the page is opened again.
    An open page applies chunks too; the run's row lock takes them in turn.
    Each chunk is applied on behalf of the staff member who started it, while they still hold
    the permission. Returns how many rows were applied."""
    started = time.monotonic()
    applied = 0
    for run in ImportRun.objects.filter(status=ImportRun.Status.RUNNING).order_by("created_at", "pk"):
        allowed = StaffMembership.objects.filter(
            organization_id=run.organization_id, user_id=run.created_by_id, is_active=True
        ).first()
        if allowed is None or not allowed.has_permission(PERMISSION[run.kind]):
            continue
        while time.monotonic() - started < budget_seconds:
            before = run.done
            try:
                run = _apply_chunk(run.pk, actor_id=run.created_by_id, channel=Channel.SYSTEM, chunk=chunk)
            except ImportNotRunnable:
                break
            applied += run.done - before
            if run.status != ImportRun.Status.RUNNING:
                break
    return applied


@transaction.atomic(durable=True)
def _apply_chunk(run_id: int, *, actor_id: int, channel: str, chunk: int) -> ImportRun:
    run = ImportRun.objects.select_for_update().get(pk=run_id)
    if run.status in (ImportRun.Status.DONE, ImportRun.Status.CANCELLED):
        raise ImportNotRunnable
    now = timezone.now()
    rows = read_rows(run.text, run.kind)[run.done : run.done + chunk]
    organization = Organization.objects.get(pk=run.organization_id)
    if run.kind == ImportRun.Kind.OFFERINGS:
        planned = _plan(
            run.kind,
            rows,
            _known_offerings(organization.pk, {r.get("code", "").strip() for r in rows}),
            organization,
            first_line=2 + run.done,
        )
        applied = _write_offerings(organization, planned, now)
    else:
        emails = {(r.get("email") or "").strip().lower() for r in rows}
        planned = _plan(
            run.kind, rows, _known_households(organization.pk, emails), organization, first_line=2 + run.done
        )
        applied = _write_households(organization, planned)
    record_many(
        event(
            organization_id=organization.pk,
            verb=f"import.{run.kind}_row_{row.action}d"
            if row.action != policies.REFUSE
            else f"import.{run.kind}_row_refused",
            channel=channel,
            actor_id=actor_id,
            subject_type="import",
            subject_id=run.pk,
            data={"line": row.line, "key": row.key, "detail": row.detail},
            now=now,
        )
        for row in applied
        if row.action != policies.UNCHANGED
    )
    run.outcome = [*run.outcome, *(row.as_json() for row in applied)]
    run.done += len(rows)
    run.status = ImportRun.Status.DONE if run.done >= run.total else ImportRun.Status.RUNNING
    run.finished_at = now if run.status == ImportRun.Status.DONE else None
    run.save(update_fields=["outcome", "done", "status", "finished_at"])
    return run


def _programs(organization: Organization, plans: list[policies.RowPlan]) -> dict[tuple[str, str], int]:
    wanted = {(p.values["program"], p.values.get("season", "")) for p in plans if p.values.get("program")}
    existing = {
        (name, season): pk
        for pk, name, season in Program.objects.filter(organization_id=organization.pk).values_list(
            "pk", "name", "season"
        )
    }
    missing = [Program(organization_id=organization.pk, name=n, season=s) for n, s in wanted - existing.keys()]
    for program in Program.objects.bulk_create(missing):
        existing[(program.name, program.season)] = program.pk
    return existing


def _write_offerings(
    organization: Organization, plans: list[policies.RowPlan], now: datetime
) -> list[policies.RowPlan]:
    """Create and change this chunk's offerings. Lowering a capacity below the seats taken is
    refused row by row (F2: nobody loses a seat silently), under the lock of those offerings
    only, held until this chunk's transaction ends."""
    programs = _programs(organization, plans)
    fields = [f for f in policies.OFFERING_COLUMNS if f not in ("code", "program", "season")]
    created = [
        Offering(
            organization_id=organization.pk,
            code=p.key,
            program_id=programs.get((p.values["program"], p.values["season"])),
            **{f: p.values[f] for f in fields if p.values.get(f) is not None},
        )
        for p in plans
        if p.action == policies.CREATE
    ]
    Offering.objects.bulk_create(created)
    # The lock last, so that it is held for the changes and the commit only.
    lowered = {p.values["id"]: p for p in plans if p.action == policies.CHANGE and "capacity" in p.values}
    applied: dict[int, policies.RowPlan] = {}
    if lowered:
        lock_offerings(organization_id=organization.pk, offering_ids=list(lowered))
        counts = claim_counts(offering_ids=list(lowered), now=now)
        for offering_id, plan in lowered.items():
            new = plan.values["capacity"]
            taken = counts[offering_id].taken if offering_id in counts else 0
            if new is not None and new < taken:
                applied[plan.line] = policies.RowPlan(
                    plan.line,
                    policies.REFUSE,
                    plan.key,
                    {"capacity": f"{counted(taken, 'seat is', 'seats are')} taken; lower it from the offering's page"},
                )
    changed = []
    for p in plans:
        if p.action == policies.CHANGE and p.line not in applied:
            offering = Offering(pk=p.values["id"], organization_id=organization.pk)
            names = [n for n in p.values if n in fields]
            for name in names:
                setattr(offering, name, p.values[name])
            if p.values.get("program"):
                offering.program_id = programs.get((p.values["program"], p.values["season"]))
                names.append("program")
            changed.append((offering, names))
    for group in {tuple(sorted(n)) for _, n in changed}:
        Offering.objects.bulk_update([o for o, n in changed if tuple(sorted(n)) == group], list(group))
    return [applied.get(p.line, p) for p in plans]


def _write_households(organization: Organization, plans: list[policies.RowPlan]) -> list[policies.RowPlan]:
    new = {}
    for p in plans:
        if p.action == policies.CREATE:
            new[p.key] = Household(
                organization_id=organization.pk, name=p.values["name"], email=p.key, phone=p.values["phone"]
            )
    Household.objects.bulk_create(list(new.values()))
    ids = {email: h.pk for email, h in new.items()}
    changed: dict[tuple[str, ...], list[Household]] = {}
    for p in plans:
        names = tuple(n for n in ("name", "phone") if n in p.values)
        if p.action == policies.CHANGE and p.values.get("id") and names:
            changed.setdefault(names, []).append(Household(pk=p.values["id"], **{n: p.values[n] for n in names}))
    for names, households in changed.items():  # at most three statements, whatever the chunk's size
        Household.objects.bulk_update(households, list(names))
    people = [
        Participant(household_id=p.values.get("id") or ids[p.key], **p.values["participant"])
        for p in plans
        if p.action in (policies.CREATE, policies.CHANGE) and "participant" in p.values
    ]
    Participant.objects.bulk_create(people, ignore_conflicts=True)  # a double submit adds nobody twice
    return plans

"""CSV imports in the API (issue 14): a dry run first, then one chunk per call."""

from datetime import datetime
from typing import Any, Literal

from ninja import Field, Router, Schema, Status

from api.access import StaffRequest, staff
from api.auth import AUTH
from api.schemas import ErrorOut
from api.types import Id, Limit
from imports.models import ImportRun
from imports.selectors import recent_imports
from imports.services import CHUNK, access_import, plan_import, run_import_chunk
from organizations.models import Permission

router = Router(tags=["setup"], auth=AUTH)
REFUSALS = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut, 503: ErrorOut}


class ImportIn(Schema):
    kind: Literal["offerings", "households"]
    filename: str = Field(default="", max_length=200)
    csv: str = Field(max_length=5_000_000, description="the file's text, first line naming the columns")


class ImportRowOut(Schema):
    line: int
    action: str = Field(description="create, change, unchanged or refuse")
    key: str
    detail: dict[str, str] = Field(description="the values written, or each refused field's problem")


class ImportOut(Schema):
    id: int
    kind: str
    status: str = Field(description="planned, running, done or cancelled")
    total: int
    done: int
    percent: int = Field(ge=0, le=100)
    created_at: datetime
    plan: list[ImportRowOut] = Field(description="the dry run, row by row")
    outcome: list[ImportRowOut] = Field(description="what applying did so far, row by row")


class ImportSummaryOut(Schema):
    id: int
    kind: str
    filename: str
    status: str = Field(description="planned, running, done or cancelled")
    total: int
    done: int
    percent: int = Field(ge=0, le=100)
    created_by: str = Field(description="the staff member's user name")
    created_at: datetime
    finished_at: datetime | None


def import_out(run: ImportRun) -> dict[str, Any]:
    def rows(entries: list[list[Any]]) -> list[dict[str, Any]]:
        return [{"line": line, "action": action, "key": key, "detail": detail} for line, action, key, detail in entries]

    return {
        "id": run.pk,
        "kind": run.kind,
        "status": run.status,
        "total": run.total,
        "done": run.done,
        "percent": run.percent,
        "created_at": run.created_at,
        "plan": rows(run.plan),
        "outcome": rows(run.outcome),
    }


# Either permission lets in; the service then checks the kind's own (offerings: manage catalog,
# households: manage settings).
@router.post("/orgs/{slug}/setup/imports", response={201: ImportOut, **REFUSALS})
@staff(Permission.MANAGE_CATALOG, Permission.MANAGE_SETTINGS)
def dry_run(request: StaffRequest, slug: str, payload: ImportIn) -> Status:
    """The dry run: what each row would create, change or refuse; nothing is written but the plan."""
    run = plan_import(membership=request.membership, kind=payload.kind, text=payload.csv, filename=payload.filename)
    return Status(201, import_out(run))


@router.get("/orgs/{slug}/setup/imports", response={200: list[ImportSummaryOut], **REFUSALS})
@staff(Permission.MANAGE_CATALOG, Permission.MANAGE_SETTINGS)
def list_imports(request: StaffRequest, slug: str, limit: Limit = 100) -> list[dict[str, Any]]:
    """The recent imports (newest first, at most `limit`, 1-1000) of the kinds this member may
    import; each one's rows are at GET setup/imports/{id}. The page exports the same list as CSV."""
    return [
        {
            "id": run.pk,
            "kind": run.kind,
            "filename": run.filename,
            "status": run.status,
            "total": run.total,
            "done": run.done,
            "percent": run.percent,
            "created_by": run.created_by.get_username(),
            "created_at": run.created_at,
            "finished_at": run.finished_at,
        }
        for run in recent_imports(request.membership, limit=limit)
    ]


@router.get("/orgs/{slug}/setup/imports/{run_id}", response={200: ImportOut, **REFUSALS})
@staff(Permission.MANAGE_CATALOG, Permission.MANAGE_SETTINGS)
def progress(request: StaffRequest, slug: str, run_id: Id) -> object:
    return import_out(access_import(request.membership, run_id))


@router.post("/orgs/{slug}/setup/imports/{run_id}/chunks", response={200: ImportOut, **REFUSALS})
@staff(Permission.MANAGE_CATALOG, Permission.MANAGE_SETTINGS)
def apply_chunk(request: StaffRequest, slug: str, run_id: Id, size: Limit = CHUNK) -> object:
    """Apply the next rows (at most `size`, 1-1000) in one short transaction; call again until
    `status` is done. 409 once it is done."""
    chunk = max(1, min(size, 1000))
    return import_out(run_import_chunk(membership=request.membership, run_id=run_id, chunk=chunk))

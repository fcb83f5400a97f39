"""Setup > Import (issue 14): a CSV of offerings or households, its dry run row by row, then
the import in chunks with a progress bar (htmx polls the next chunk; decision 0010)."""

from typing import Any

from django import forms
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from core.errors import DomainError
from imports.selectors import recent_imports
from imports.services import access_import, plan_import, run_import_chunk
from office.access import OfficeRequest, staff_page
from office.csv_export import csv_response
from office.rendering import page_or_partial
from organizations.models import Permission
from ui.tables import Column, Link, Table, Tag

TONES = {"create": "success", "change": "info", "unchanged": "neutral", "refuse": "error"}
STATUS_TONES = {"planned": "info", "running": "warning", "done": "success", "cancelled": "neutral"}


class ImportForm(forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("What the file holds"),
        choices=[("offerings", gettext_lazy("Offerings")), ("households", gettext_lazy("Households"))],
        widget=forms.RadioSelect,
    )
    file = forms.FileField(
        label=gettext_lazy("CSV file"),
        help_text=gettext_lazy(
            "The first line names the columns. Offerings: code, kind, name, price, capacity, program, "
            "season, min_age, max_age, age_cutoff_on, starts_on, ends_on, registration_opens_at. "
            "Households: email, household_name, phone, first_name, last_name, date_of_birth."
        ),
    )


def _rows_table(caption: str, entries: list[list[Any]]) -> Table:
    return Table(
        caption,
        [Column(_("Line"), numeric=True), Column(_("Action")), Column(_("Key")), Column(_("Details"))],
        [
            [
                line,
                Tag(str(action), TONES.get(str(action), "neutral")),
                key,
                "; ".join(f"{k}: {v}" for k, v in detail.items()),
            ]
            for line, action, key, detail in entries
        ],
    )


@staff_page(Permission.MANAGE_CATALOG, Permission.MANAGE_SETTINGS, methods=("GET", "POST"))
def imports(request: OfficeRequest) -> HttpResponse:
    """Upload: the dry run is made at once and shown; nothing is written but the plan."""
    form = ImportForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = upload.read().decode("utf-8-sig")
            run = plan_import(
                membership=request.membership, kind=form.cleaned_data["kind"], text=text, filename=upload.name
            )
        except UnicodeDecodeError:
            form.add_error("file", _("Save the file as CSV in UTF-8 and try again."))
        except DomainError as refused:
            form.add_error("file", str(refused))
        else:
            return redirect("office:setup_import", slug=request.organization.slug, run_id=run.pk)
    table = _imports_table(request)
    if request.GET.get("format") == "csv":
        return csv_response(table, f"{request.organization.slug}-imports.csv")
    return render(request, "office/setup/imports.html", {"form": form, "table": table})


def _imports_table(request: OfficeRequest) -> Table:
    """The recent imports this member may see: the page's list and its CSV export alike."""
    slug = request.organization.slug
    zone = request.organization.zone
    return Table(
        caption=_("Recent imports, newest first"),
        columns=[
            Column(_("File")),
            Column(_("Holds")),
            Column(_("State")),
            Column(_("Rows done"), numeric=True),
            Column(_("Rows"), numeric=True),
            Column(_("By")),
            Column(_("Checked")),
        ],
        rows=[
            [
                Link(
                    run.filename or _("(no name)"),
                    reverse("office:setup_import", kwargs={"slug": slug, "run_id": run.pk}),
                ),
                run.get_kind_display(),
                Tag(run.get_status_display(), STATUS_TONES.get(run.status, "neutral")),
                run.done,
                run.total,
                run.created_by.get_username(),
                f"{run.created_at.astimezone(zone):%Y-%m-%d %H:%M}",
            ]
            for run in recent_imports(request.membership)
        ],
        empty=_("No imports yet."),
    )


@staff_page(Permission.MANAGE_CATALOG, Permission.MANAGE_SETTINGS, methods=("GET", "POST"))
def import_run(request: OfficeRequest, run_id: int) -> HttpResponse:
    """GET: the dry run (or the progress). POST: apply the next chunk; an htmx request gets
    the progress partial, which asks for the next chunk until the import is done."""
    try:
        run = access_import(request.membership, run_id)
        if request.method == "POST":
            run = run_import_chunk(membership=request.membership, run_id=run.pk)
    except DomainError as refused:
        return render(request, "office/setup/import_run.html", {"refusal": str(refused), "run": None}, status=409)
    counts: dict[str, int] = {}
    for _line, action, _key, _detail in run.plan:
        counts[action] = counts.get(action, 0) + 1
    context = {
        "run": run,
        "counts": counts,
        "plan": _rows_table(_("The dry run, row by row"), run.plan[:1000]),
        "outcome": _rows_table(_("What the import did"), run.outcome[-1000:]) if run.outcome else None,
    }
    return page_or_partial(request, "office/setup/import_run.html", "progress", context)

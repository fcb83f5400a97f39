"""Setup > Programs and Closures (issue 14): programs season by season, a season copied forward
after its preview (F2), and the days the organization is closed (holidays: no meeting)."""

import datetime as dt
from typing import Any

from django import forms
from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from catalog.errors import InvalidCatalogItem, UnknownCatalogItem
from catalog.models import Program
from catalog.seasons import copy_season, plan_season_copy
from catalog.selectors import closures as closures_of
from catalog.selectors import programs as programs_of
from catalog.services import access_catalog_item, save_program, set_closure
from office.access import OfficeRequest, staff_page
from office.csv_export import csv_response
from office.views.setup_offerings import DATE
from organizations.models import Permission
from ui.forms import DayField
from ui.tables import Column, Link, Table


class ProgramForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200)
    season = forms.CharField(
        label=gettext_lazy("Season"), max_length=60, required=False, help_text=gettext_lazy('e.g. "Summer 2026"')
    )
    description = forms.CharField(label=gettext_lazy("Description"), required=False, widget=forms.Textarea)


class CopyForm(forms.Form):
    season = forms.CharField(
        label=gettext_lazy("New season"), max_length=60, help_text=gettext_lazy('e.g. "Fall 2026"')
    )
    starts_on = DayField(
        label=gettext_lazy("The new season starts on"),
        widget=DATE,
        help_text=gettext_lazy("Dates move by whole weeks, so a Tuesday class stays on Tuesdays."),
    )


def _refused(form: forms.Form, refused: InvalidCatalogItem) -> None:
    for name, problem in refused.details.get("fields", {}).items():
        form.add_error(name if name in form.fields else None, problem)


@staff_page(Permission.MANAGE_CATALOG, methods=("GET", "POST"))
def programs(request: OfficeRequest) -> HttpResponse:
    """GET: the programs. POST: add one."""
    form = ProgramForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            program = save_program(membership=request.membership, fields=form.cleaned_data)
        except InvalidCatalogItem as refused:
            _refused(form, refused)
        else:
            messages.success(request, _("%(name)s was added.") % {"name": str(program)})
            return redirect("office:setup_programs", slug=request.organization.slug)
    slug = request.organization.slug
    table = Table(
        caption=_("Programs and their seasons"),
        columns=[Column(_("Program")), Column(_("Season")), Column(_("Offerings"), numeric=True)],
        rows=[
            [
                Link(p.name, reverse("office:setup_program", kwargs={"slug": slug, "program_id": p.pk})),
                p.season,
                p.offering_count,
            ]
            for p in programs_of(organization_id=request.organization.pk).annotate(offering_count=Count("offerings"))
        ],
        empty=_("No programs yet."),
    )
    if request.GET.get("format") == "csv":
        return csv_response(table, f"{slug}-programs.csv")
    return render(request, "office/setup/programs.html", {"table": table, "form": form})


@staff_page(Permission.MANAGE_CATALOG, methods=("GET", "POST"))
def program(request: OfficeRequest, program_id: int) -> HttpResponse:
    """One program: rename it, and copy its season forward. POST action=save|preview_copy|copy."""
    try:
        item: Program = access_catalog_item(Program, request.organization.pk, program_id)
    except UnknownCatalogItem:
        raise Http404 from None
    action = request.POST.get("action", "")
    form = ProgramForm(
        request.POST if action == "save" else None,
        initial={"name": item.name, "season": item.season, "description": item.description},
    )
    copy = CopyForm(request.POST if action in ("preview_copy", "copy") else None)
    context: dict[str, Any] = {"program": item, "form": form, "copy": copy, "offerings": item.offerings.order_by("pk")}
    if action == "save" and form.is_valid():
        try:
            save_program(membership=request.membership, fields=form.cleaned_data, program_id=item.pk)
        except InvalidCatalogItem as refused:
            _refused(form, refused)
        else:
            messages.success(request, _("The program was saved."))
            return redirect("office:setup_program", slug=request.organization.slug, program_id=item.pk)
    elif action in ("preview_copy", "copy") and copy.is_valid():
        arguments = {"membership": request.membership, "program_id": item.pk, **copy.cleaned_data}
        try:
            if action == "copy":
                made = copy_season(**arguments)
                messages.success(
                    request,
                    ngettext(
                        "%(n)s offering was copied to %(season)s.",
                        "%(n)s offerings were copied to %(season)s.",
                        len(made.offerings),
                    )
                    % {"n": len(made.offerings), "season": made.program.season},
                )
                return redirect("office:setup_program", slug=request.organization.slug, program_id=made.program.pk)
            context["plan"] = plan_season_copy(**arguments)
        except InvalidCatalogItem as refused:
            _refused(copy, refused)
    return render(request, "office/setup/program.html", context)


class ClosureForm(forms.Form):
    day = DayField(label=gettext_lazy("Day"), widget=DATE)
    name = forms.CharField(label=gettext_lazy("Name"), max_length=200, help_text=gettext_lazy('e.g. "Labour Day"'))


@staff_page(Permission.MANAGE_CATALOG, methods=("GET", "POST"))
def closures(request: OfficeRequest) -> HttpResponse:
    """The days the organization is closed. POST day+name: close a day (every schedule over it is
    remade without it); POST reopen=<date>: open it again."""
    form = ClosureForm(request.POST if "reopen" not in request.POST else None)
    if request.method == "POST":
        try:
            if "reopen" in request.POST:
                day = dt.date.fromisoformat(request.POST["reopen"])
                set_closure(membership=request.membership, day=day, name="", closed=False)
                messages.success(request, _("%(day)s is open again.") % {"day": day.isoformat()})
                return redirect("office:setup_closures", slug=request.organization.slug)
            if form.is_valid():
                set_closure(membership=request.membership, **form.cleaned_data)
                messages.success(request, _("%(day)s is closed.") % {"day": form.cleaned_data["day"].isoformat()})
                return redirect("office:setup_closures", slug=request.organization.slug)
        except ValueError:
            form.add_error(None, _("Enter the day as YYYY-MM-DD."))
        except InvalidCatalogItem as refused:
            _refused(form, refused)
    rows = closures_of(organization_id=request.organization.pk)
    if request.GET.get("format") == "csv":
        table = Table(
            caption=_("Days the organization is closed"),
            columns=[Column(_("Day")), Column(_("Name"))],
            rows=[[c.day.isoformat(), c.name] for c in rows],
        )
        return csv_response(table, f"{request.organization.slug}-closures.csv")
    return render(request, "office/setup/closures.html", {"closures": rows, "form": form})

"""The project's URLs plus two pages for the ui tests: every shared component on one page, and a
view that fails (for the 500 page). Use with @pytest.mark.urls("ui.tests.urls")."""

from datetime import UTC, datetime
from decimal import Decimal

from django import forms
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import path

from registrar.urls import handler400, handler403, handler404, handler500, urlpatterns  # noqa: F401
from ui.confirm import ask_to_confirm, is_confirmed
from ui.tables import Column, Link, Table, Tag


class ExampleForm(forms.Form):
    name = forms.CharField(label="Participant's name", help_text="As on their health card.")
    email = forms.EmailField(label="Email address", required=False)
    notes = forms.CharField(label="Notes", widget=forms.Textarea, required=False)
    program = forms.ChoiceField(label="Program", choices=[("", "- Choose -"), ("swim", "Swimming"), ("art", "Art")])
    day = forms.ChoiceField(label="Day", widget=forms.RadioSelect, choices=[("mon", "Monday"), ("tue", "Tuesday")])
    extras = forms.MultipleChoiceField(
        label="Extras",
        widget=forms.CheckboxSelectMultiple,
        choices=[("lunch", "Lunch"), ("bus", "Bus")],
        required=False,
    )
    agree = forms.BooleanField(label="I agree to the terms")

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("program") == "art" and cleaned.get("day") == "mon":
            raise forms.ValidationError("Art is not offered on Mondays.")
        return cleaned


def components(request: HttpRequest) -> HttpResponse:
    form = ExampleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        messages.success(request, "Saved.")
        return redirect(request.path)
    rows = [
        [f"Swimming {n}", n * 3, Tag("Open", "info") if n % 2 else Tag("Full"), [Link("Details", f"#offering-{n}")]]
        for n in range(1, 46)
    ]
    page_obj = Paginator(rows, 5).get_page(request.GET.get("page"))
    table = Table(
        caption="Offerings",
        columns=[Column("Offering"), Column("Seats left", numeric=True), Column("Status"), Column("Links")],
        rows=list(page_obj.object_list),
    )
    context = {
        "form": form,
        "table": table,
        "page_obj": page_obj,
        "amount": Decimal("1234.50"),
        "moment": datetime(2026, 3, 4, 14, 0, tzinfo=UTC),
        "zone": "America/Toronto",
        "confirm_url": "/_ui/confirm/",
    }
    template = "ui/examples/components.html#results" if request.htmx else "ui/examples/components.html"
    return render(request, template, context)


def delete_hold(request: HttpRequest) -> HttpResponse:
    if not is_confirmed(request):
        return ask_to_confirm(
            request,
            question="Delete this hold?",
            consequence="The seat goes back on sale at once.",
            confirm_label="Delete the hold",
            cancel_url="/_ui/components/",
        )
    messages.success(request, f"Hold {request.POST['hold']} deleted.")
    return redirect("/_ui/components/")


def fail(request: HttpRequest) -> HttpResponse:
    raise RuntimeError("a view that fails, for the 500 page")


def forbidden(request: HttpRequest) -> HttpResponse:
    from django.core.exceptions import PermissionDenied

    raise PermissionDenied


urlpatterns = [
    *urlpatterns,
    path("_ui/components/", components),
    path("_ui/confirm/", delete_hold),
    path("_ui/fail/", fail),
    path("_ui/forbidden/", forbidden),
    path("api/v1/_ui/fail/", fail),
]

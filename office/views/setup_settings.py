"""Setup > Settings (issue 14, X7, G6): every setting on one page, and a preview of what a
change would do (the Grace Period Impacts, the live carts a timer retimes) before it is saved."""

from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from audit.models import Channel
from bulk.settings import change_settings, preview_settings
from office.access import OfficeRequest, staff_page
from organizations.errors import InvalidSettings
from organizations.models import Organization, Permission
from organizations.preferences import SECTIONS, SETTINGS, Setting, choices_of
from organizations.services import shown_settings

# A choice in words on the page (the API keeps the codes): "fr-ca" and "sandbox" alone told a new
# administrator little.
CHOICE_WORDS: dict[str, dict[str, Any]] = {  # str or a lazy translation
    "locale": {code: str(label) for code, label in Organization._meta.get_field("locale").choices or ()},
    "payment_provider": {
        "none": gettext_lazy("None: no online payments"),
        "sandbox": gettext_lazy("Sandbox: a demo that takes no real money"),
        "stripe": gettext_lazy("Stripe"),
    },
}


def _field(setting: Setting) -> forms.Field:
    hint = f"{setting.help} {_('Allowed')}: {setting.allowed}."
    if setting.kind == "int":
        return forms.IntegerField(label=setting.label, help_text=hint)
    if setting.kind == "bool":
        return forms.BooleanField(label=setting.label, help_text=setting.help, required=False)
    if setting.kind == "choice":
        return forms.ChoiceField(
            label=setting.label,
            help_text=setting.help,
            choices=[(c, CHOICE_WORDS.get(setting.name, {}).get(c, c)) for c in choices_of(setting)],
        )
    if setting.kind == "secret":
        return forms.CharField(
            label=setting.label, help_text=setting.help, required=False, widget=forms.PasswordInput(render_value=False)
        )
    return forms.CharField(label=setting.label, help_text=hint, required=not setting.allow_blank)


class SettingsForm(forms.Form):
    """The settings as fields; their ranges are the service's to check (one set of words for
    the page and the API), the form only reads the types."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name, setting in SETTINGS.items():
            self.fields[name] = _field(setting)

    def sections(self) -> list[tuple[str, list[forms.BoundField]]]:
        return [(label, [self[n] for n, s in SETTINGS.items() if s.section == key]) for key, label in SECTIONS.items()]


@staff_page(Permission.MANAGE_SETTINGS, methods=("GET", "POST"))
def settings(request: OfficeRequest) -> HttpResponse:
    """GET: the form. POST "preview": what the change would do, nothing saved. POST "save"
    (from the preview): save it as previewed, then back here."""
    current = shown_settings(request.organization)
    initial = {k: v for k, v in current.items() if not k.endswith("_set")}
    form = SettingsForm(request.POST or None, initial=initial)
    for name in (n for n, s in SETTINGS.items() if s.kind == "secret"):
        stored = _("A value is stored.") if current[f"{name}_set"] else _("None is stored.")
        form.fields[name].help_text = f"{stored} {form.fields[name].help_text}"
    context: dict[str, Any] = {"form": form}
    if request.method == "POST" and form.is_valid():
        changes = {k: v for k, v in form.cleaned_data.items() if SETTINGS[k].kind != "secret" or v}
        try:
            if request.POST.get("action") == "save":
                _saved, done = change_settings(membership=request.membership, changes=changes, channel=Channel.OFFICE)
                messages.success(request, _("Settings saved.") + _retimed_words(len(done.retimed)))
                return redirect("office:setup_settings", slug=request.organization.slug)
            preview = preview_settings(membership=request.membership, changes=changes, now=timezone.now())
            context["preview"] = preview
            context["changed_rows"] = [
                (SETTINGS[n].label, CHOICE_WORDS.get(n, {}).get(old, old), CHOICE_WORDS.get(n, {}).get(new, new))
                for n, (old, new) in preview.changed.items()
            ]
            if preview.grace:
                context["grace_rows"] = [(row, row.recipients(request.organization)) for row in preview.grace.rows]
        except InvalidSettings as refused:
            for name, problem in refused.details.get("fields", {}).items():
                form.add_error(
                    name if name in form.fields else None,
                    f"{SETTINGS[name].label if name in SETTINGS else name} {problem}",
                )
    return render(request, "office/setup/settings.html", context)


def _retimed_words(count: int) -> str:
    words = ngettext("%(count)s live cart now expires later.", "%(count)s live carts now expire later.", count)
    return " " + words % {"count": count} if count else ""

"""A password check Django's validators lack: one of spaces only ("          " passed the
minimum length, the common list and the numeric check)."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _


class NotOnlySpacesValidator:
    def validate(self, password: str, user: AbstractBaseUser | None = None) -> None:
        if not password.strip():
            raise ValidationError(_("Your password can't be only spaces."), code="password_only_spaces")

    def get_help_text(self) -> str:
        return _("Your password can't be only spaces.")

"""How the desk's pages say states in words (P3, channels, timers): one table each, so the
household page, the Pending list and the occupancy view say the same thing."""

from django.utils.translation import gettext_lazy as _

PAYMENT_STATES = {
    "incomplete_or_pending": _("Incomplete or pending"),
    "payment_incomplete": _("Payment incomplete"),
    "partially_paid": _("Partially paid"),
    "paid_in_full": _("Paid in full"),
}
PAYMENT_TONES = {
    "incomplete_or_pending": "info",
    "payment_incomplete": "warning",
    "partially_paid": "warning",
    "paid_in_full": "success",
}
CHANNELS = {
    "portal": _("Portal"),
    "api": _("Mobile app"),
    "office": _("Office"),
    "system": _("System"),
}
TIMERS = {
    "portal": _("portal timer"),
    "office_class": _("office class wizard timer"),
    "office_camp": _("office camp wizard timer"),
}


def minutes_left(seconds: int | None) -> str:
    """ "12 min 05 s" for a countdown shown in words (screen readers read it as such)."""
    if seconds is None:
        return ""
    seconds = max(0, seconds)
    return f"{seconds // 60} min {seconds % 60:02d} s"

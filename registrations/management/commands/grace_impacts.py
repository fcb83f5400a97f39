from typing import Any

from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.words import counted
from organizations.models import Organization, validate_grace_hours
from registrations.impacts import grace_impacts


class Command(BaseCommand):
    help = (
        "Grace Period Impacts (G6): which unpaid registrations the next background run would delete, "
        "and which emails it would send, if the organization's grace period were --hours. Changes nothing."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--org", required=True, help="organization slug")
        parser.add_argument("--hours", required=True, type=int, help="proposed grace period: -1, 0 or N hours")

    def handle(self, *args: Any, **options: Any) -> None:
        organization = Organization.objects.filter(slug=options["org"]).first()
        if organization is None:
            raise CommandError(f"No organization with slug {options['org']!r}.")
        hours = int(options["hours"])
        try:
            validate_grace_hours(hours)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from None
        impacts = grace_impacts(organization=organization, grace_period_hours=hours, now=timezone.now())
        zone = organization.zone
        self.stdout.write(
            f"Grace Period Impacts for {organization.name} ({organization.slug}) with grace period {hours} h "
            f"(currently {organization.grace_period_hours} h), as of "
            f"{timezone.localtime(impacts.now, zone):%Y-%m-%d %H:%M %Z}"
        )
        self.stdout.write("")
        header = (
            f"{'reg':>7}  {'submitted':<16}  {'household':<24}  {'offering':<28}  {'due':>9}  {'action':<26}  emails"
        )
        self.stdout.write(header)
        self.stdout.write("-" * len(header))
        for row in impacts.rows:
            r = row.registration
            if row.deletes:
                action = "DELETE now"
            else:
                action = (
                    f"delete at {timezone.localtime(row.scheduled_for, zone):%Y-%m-%d %H:%M}"
                    if row.scheduled_for
                    else "keep"
                )
            emails = ", ".join(f"{kind} -> {to}" for kind, to in row.recipients(organization)) or "-"
            self.stdout.write(
                f"{r.pk:>7}  {timezone.localtime(r.submitted_at, zone):%Y-%m-%d %H:%M}  {r.household.name[:24]:<24}  "
                f"{r.offering.name[:28]:<28}  {r.order.balance:>9}  {action:<26}  {emails}"
            )
        self.stdout.write("")
        self.stdout.write(
            f"{counted(len(impacts.deletions), 'registration', 'registrations')} would be deleted now, "
            f"{len(impacts.scheduled)} scheduled for later; "
            f"{counted(len(impacts.emails), 'email', 'emails')} would be sent."
        )

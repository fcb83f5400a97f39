from django.core.management.base import BaseCommand, CommandParser

from demo.data import DEMO_PASSWORD, logins
from demo.loader import load_demo


class Command(BaseCommand):
    help = (
        "Create or refresh the demo organization (Riverside Parks & Recreation): classes, camps, memberships, "
        "rental slots, households, staff and a couple of carts with live holds. Safe to run again."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--quiet-logins", action="store_true", help="Do not print the demo logins.")

    def handle(self, *args: object, quiet_logins: bool, **options: object) -> None:
        summary = load_demo()
        kinds = ", ".join(f"{count} {kind}" for kind, count in summary.offerings_by_kind.items())
        self.stdout.write(
            f"Demo organization {summary.organization.name!r} (slug {summary.organization.slug}): {kinds} offerings, "
            f"{summary.meetings} meetings, {summary.households} households, {summary.participants} participants; "
            f"{summary.rental_slots_created} new rental slots."
        )
        if summary.holds:  # held seats, but also the unpaid order, the balance, the absences
            self.stdout.write("What the demo's families and staff start with:")
        for line in summary.holds:
            self.stdout.write(f"  - {line}")
        if quiet_logins:
            return
        self.stdout.write(f"\nDemo logins (password for all: {DEMO_PASSWORD}):")
        for login in logins():
            self.stdout.write(f"  {login.username:<11} {login.role}")

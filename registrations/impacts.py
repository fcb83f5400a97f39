"""Grace Period Impacts (G6): before a grace period is saved, what it would do."""

from dataclasses import dataclass, field
from datetime import datetime

from organizations.models import Organization
from registrations import policies
from registrations.models import Registration
from registrations.policies import Notice
from registrations.selectors import admin_recipient, grace_policy, unpaid_registrations


@dataclass(frozen=True)
class ImpactRow:
    registration: Registration
    deletes: bool
    notices: tuple[Notice, ...]
    scheduled_for: datetime | None  # when a later run would delete it, if not now

    def recipients(self, organization: Organization) -> list[tuple[Notice, str]]:
        admin = (Notice.ADMIN_INCOMPLETE, Notice.ADMIN_DELETED)
        return [
            (
                n,
                admin_recipient(organization, self.registration.offering)
                if n in admin
                else self.registration.household.email,
            )
            for n in self.notices
        ]


@dataclass(frozen=True)
class GraceImpacts:
    organization: Organization
    grace_period_hours: int
    now: datetime
    rows: list[ImpactRow] = field(default_factory=list)

    @property
    def deletions(self) -> list[ImpactRow]:
        return [row for row in self.rows if row.deletes]

    @property
    def emails(self) -> list[tuple[ImpactRow, Notice, str]]:
        return [(row, n, to) for row in self.rows for n, to in row.recipients(self.organization)]

    @property
    def scheduled(self) -> list[ImpactRow]:
        return [row for row in self.rows if not row.deletes and row.scheduled_for is not None]


def grace_impacts(*, organization: Organization, grace_period_hours: int, now: datetime) -> GraceImpacts:
    """What the next background run would do if the grace period were `grace_period_hours`:
    which registrations it would delete, which emails it would send, and which it would
    schedule for deletion later. Computed with the worker's own `decide()` on the worker's
    own candidates, so the report and the job cannot disagree."""
    rows = []
    for registration, facts in unpaid_registrations(organization_id=organization.pk, now=now):
        policy = grace_policy(organization, grace_period_hours=grace_period_hours, offering=registration.offering)
        decision = policies.decide(facts, policy, now)
        scheduled = policies.deletion_due_at(facts, policy)
        if decision.delete or decision.notices or scheduled is not None:
            rows.append(
                ImpactRow(
                    registration=registration,
                    deletes=decision.delete,
                    notices=decision.notices,
                    scheduled_for=scheduled,
                )
            )
    return GraceImpacts(organization=organization, grace_period_hours=grace_period_hours, now=now, rows=rows)

"""T5: the office's one enrollment-wizard timer becomes two, the class wizard's and the camp
wizard's (the seeds' Class Settings and Camp Settings). The old pair becomes the class pair
(renamed, values kept); the camp pair starts as a copy of it, so no organization's office
timers change until staff change one."""

from django.db import migrations, models

import organizations.models
from django.db.models import F

OFFICE_TIMER_FIELDS = (
    "office_class_timeout_minutes",
    "office_class_limit_minutes",
    "office_camp_timeout_minutes",
    "office_camp_limit_minutes",
)


def copy_class_timers_to_camp(apps, schema_editor):
    Organization = apps.get_model("organizations", "Organization")
    Organization.objects.update(
        office_camp_timeout_minutes=F("office_class_timeout_minutes"),
        office_camp_limit_minutes=F("office_class_limit_minutes"),
    )


class Migration(migrations.Migration):
    dependencies = [("organizations", "0002_organization_grace_period_hours_and_more")]

    operations = [
        migrations.RemoveConstraint(model_name="organization", name="org_office_timeout_range"),
        migrations.RemoveConstraint(model_name="organization", name="org_office_limit_range"),
        migrations.RenameField("organization", "office_cart_timeout_minutes", "office_class_timeout_minutes"),
        migrations.RenameField("organization", "office_cart_limit_minutes", "office_class_limit_minutes"),
        migrations.AddField(
            model_name="organization",
            name="office_camp_timeout_minutes",
            field=models.PositiveSmallIntegerField(default=60, validators=[organizations.models.validate_cart_minutes]),
        ),
        migrations.AddField(
            model_name="organization",
            name="office_camp_limit_minutes",
            field=models.PositiveSmallIntegerField(default=120, validators=[organizations.models.validate_cart_minutes]),
        ),
        migrations.RunPython(copy_class_timers_to_camp, migrations.RunPython.noop),
        *(
            migrations.AddConstraint(
                model_name="organization",
                constraint=models.CheckConstraint(
                    name=f"org_{field}_range", condition=models.Q(**{f"{field}__gte": 5, f"{field}__lte": 120})
                ),
            )
            for field in OFFICE_TIMER_FIELDS
        ),
    ]

"""S3: who in the office took a customer's cart over, and when. T5: the office's timer profile
splits into the class wizard's and the camp wizard's; carts on the old single office timer go
on with the class wizard's, which keeps the old values (organizations 0003)."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


def office_timer_is_the_class_timer(apps, schema_editor):
    Cart = apps.get_model("carts", "Cart")
    Cart.objects.filter(timer="office").update(timer="office_class")


def class_timer_is_the_office_timer(apps, schema_editor):
    Cart = apps.get_model("carts", "Cart")
    Cart.objects.filter(timer__in=("office_class", "office_camp")).update(timer="office")


class Migration(migrations.Migration):
    dependencies = [
        ("carts", "0003_alter_cart_organization"),
        ("organizations", "0003_office_class_and_camp_timers"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddField(
            model_name="cart",
            name="taken_over_at",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.AddField(
            model_name="cart",
            name="taken_over_by",
            field=models.ForeignKey(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
        migrations.AlterField(
            model_name="cart",
            name="timer",
            field=models.CharField(
                choices=[
                    ("portal", "Customer portal timer"),
                    ("office_class", "Office class enrollment wizard timer"),
                    ("office_camp", "Office camp enrollment wizard timer"),
                ],
                default="portal",
                max_length=12,
            ),
        ),
        migrations.RunPython(office_timer_is_the_class_timer, class_timer_is_the_office_timer),
    ]

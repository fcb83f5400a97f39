"""Order numbers per organization (issue 15): each organization counts its own orders. The
orders there are keep the number they were given (their id), and each organization's counter
starts after its highest, so no number is given twice."""

import django.db.models.deletion
from django.db import migrations, models
from django.db.models import Max


def number_existing_orders(apps, schema_editor):
    Order = apps.get_model("orders", "Order")
    OrderCounter = apps.get_model("orders", "OrderCounter")
    Order.objects.update(sequence=models.F("pk"))
    for row in Order.objects.values("organization_id").annotate(last=Max("pk")):
        OrderCounter.objects.create(organization_id=row["organization_id"], last=row["last"])


class Migration(migrations.Migration):
    dependencies = [
        ("orders", "0002_order_customer_note_order_on_account_and_more"),
        ("organizations", "0004_settings_locale_payment_keys"),
    ]

    operations = [
        migrations.CreateModel(
            name="OrderCounter",
            fields=[
                (
                    "organization",
                    models.OneToOneField(
                        on_delete=django.db.models.deletion.CASCADE,
                        primary_key=True,
                        related_name="+",
                        serialize=False,
                        to="organizations.organization",
                    ),
                ),
                ("last", models.BigIntegerField(default=0)),
            ],
        ),
        migrations.AddField(model_name="order", name="sequence", field=models.BigIntegerField(null=True)),
        migrations.RunPython(number_existing_orders, migrations.RunPython.noop),
        migrations.AlterField(model_name="order", name="sequence", field=models.BigIntegerField()),
        migrations.AddConstraint(
            model_name="order",
            constraint=models.UniqueConstraint(fields=("organization", "sequence"), name="order_number_per_organization"),
        ),
    ]

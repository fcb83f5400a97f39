from django.db.models import QuerySet

from payments.models import StaffAlert


def open_alerts(*, organization_id: int) -> QuerySet[StaffAlert]:
    return (
        StaffAlert.objects.filter(organization_id=organization_id, resolved_at__isnull=True)
        .select_related("payment", "order")
        .order_by("-created_at")
    )

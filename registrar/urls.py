from django.contrib import admin
from django.urls import include, path

from api.root import api
from portal.views import home
from portal.views_paylink import pay_link_page
from portal.views_sandbox import sandbox_payment_page

urlpatterns = [
    path("", home, name="home"),
    path("accounts/", include("ui.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("o/", include("portal.urls")),
    path("office/", include("office.urls")),
    path("pay/sandbox/<str:session_id>/", sandbox_payment_page, name="sandbox_payment_page"),
    path("pay/order/<str:token>/", pay_link_page, name="pay_link"),
]

# Error pages in the design system; JSON in the API's shape under /api/ (ui.views).
handler400 = "ui.views.bad_request"
handler403 = "ui.views.permission_denied"
handler404 = "ui.views.page_not_found"
handler500 = "ui.views.server_error"

from django.contrib import admin
from django.urls import path

from api.root import api
from portal.views import home
from portal.views_sandbox import sandbox_payment_page

urlpatterns = [
    path("", home, name="home"),
    path("admin/", admin.site.urls),
    path("api/v1/", api.urls),
    path("pay/sandbox/<str:session_id>/", sandbox_payment_page, name="sandbox_payment_page"),
]

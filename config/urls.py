from django.contrib import admin
from django.urls import include, path

urlpatterns = [
    path("admin/", admin.site.urls),
    path("", include("cej.urls_home")),
    path("", include("partners.urls_accounts")),
    path("", include("partners.urls")),
    path("", include("cej.urls")),
]

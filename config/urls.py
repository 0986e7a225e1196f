from django.contrib import admin
from django.urls import include, path
from django.views.generic import TemplateView

from config.navigation import site_map

urlpatterns = [
    path("admin/", admin.site.urls),
    # The RGAA accessibility statement: public, linked from every page's footer.
    path(
        "accessibilite/",
        TemplateView.as_view(template_name="accessibility.html", http_method_names=["get", "head", "options"]),
        name="accessibility",
    ),
    # RGAA 12.1's second navigation system: public, linked from every page's footer (config/navigation.py).
    path("plan-du-site/", site_map, name="site_map"),
    path("", include("e2c_referrals.views.home")),  # the home page (``home``), reads referrals too
    path("", include("cej.urls_home")),
    path("", include("partners.urls_accounts")),
    path("", include("partners.urls")),
    path("", include("cej.urls")),
    path("", include("e2c_referrals.urls")),
    path("", include("outbox.urls")),
    path("", include("exports.urls")),
    path("", include("reporting.urls")),
    path("", include("audit.urls")),
    path("", include("cej.urls_history")),  # namespace "history": the file's change history
    path("", include("retention.urls")),
]

"""Pages of the ``outbox`` app, namespace ``outbox``. Each view module declares its urlpatterns."""

from outbox.views import monitoring, notifications

app_name = "outbox"

urlpatterns = [*notifications.urlpatterns, *monitoring.urlpatterns]

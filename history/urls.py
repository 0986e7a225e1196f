from django.urls import URLPattern, URLResolver, path

from history.views import young_person_history

app_name = "history"

urlpatterns: list[URLPattern | URLResolver] = [
    path("jeunes/<uuid:public_id>/historique/", young_person_history, name="young_person_history"),
]

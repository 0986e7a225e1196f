"""The "Historique" tab of a young person's file, namespace ``history``: the page asks cej's rule
(the file in the actor's scope, the role's capability) and reads the shared history app."""

from django.urls import URLPattern, URLResolver, path

from cej.views.history import young_person_history

app_name = "history"

urlpatterns: list[URLPattern | URLResolver] = [
    path("jeunes/<uuid:public_id>/historique/", young_person_history, name="young_person_history"),
]

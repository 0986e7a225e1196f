"""Information sessions, registrations, attendance, iCalendar feeds and adviser immersions."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []

"""PDF documents of referrals and young people (referral file, personal-data export)."""

from django.urls import URLPattern, URLResolver

urlpatterns: list[URLPattern | URLResolver] = []

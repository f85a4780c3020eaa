"""Certification: applying, one's own applications, evidence files, public credentials
and challenges (helper A's part of the experts namespace). The reviewers' pages are in
the Wagtail admin (experts/wagtail_hooks.py)."""

from django.urls import path

from experts.views import certification as views

urlpatterns = [
    path("experts/apply/", views.apply, name="apply"),
    path("experts/applications/", views.application_list, name="application_list"),
    path(
        "experts/applications/<int:pk>/",
        views.application_detail,
        name="application_detail",
    ),
    path(
        "experts/applications/<int:pk>/respond/",
        views.application_respond,
        name="application_respond",
    ),
    path(
        "experts/applications/<int:pk>/withdraw/",
        views.application_withdraw,
        name="application_withdraw",
    ),
    path("experts/evidence/<int:pk>/", views.evidence, name="evidence"),
    path(
        "experts/<int:member_pk>/credentials/",
        views.credentials,
        name="credentials",
    ),
    path(
        "experts/certificates/<int:certificate_pk>/challenge/",
        views.challenge,
        name="challenge",
    ),
]

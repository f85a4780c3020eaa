"""The "Experts" section of the Wagtail admin: the certification review queue
(applications, certificates, challenges). The views live in admin_views.py; this module
only registers them. Site moderators and brand admins (for their brands' employees)
see it; every view checks access again."""

from django.urls import include, path, reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem

from experts import admin_views
from experts.services.access import is_certification_reviewer


class ReviewerMenuItem(MenuItem):
    def is_shown(self, request):
        return is_certification_reviewer(request.user)


@hooks.register("register_admin_urls")
def register_certification_urls():
    application = admin_views.ApplicationReviewView
    certificate = admin_views.CertificateReviewView
    challenge = admin_views.ChallengeReviewView
    urlpatterns = [
        path("", admin_views.ApplicationQueueView.as_view(), name="applications"),
        path("applications/<int:pk>/", application.as_view(), name="application"),
        path(
            "applications/<int:pk>/approve/",
            application.as_view(action="approve"),
            name="approve",
        ),
        path(
            "applications/<int:pk>/reject/",
            application.as_view(action="reject"),
            name="reject",
        ),
        path(
            "applications/<int:pk>/request-info/",
            application.as_view(action="request_info"),
            name="request_info",
        ),
        path("certificates/", admin_views.CertificateListView.as_view(), name="certificates"),
        path("certificates/<int:pk>/", certificate.as_view(), name="certificate"),
        path(
            "certificates/<int:pk>/suspend/",
            certificate.as_view(action="suspend"),
            name="suspend",
        ),
        path(
            "certificates/<int:pk>/reinstate/",
            certificate.as_view(action="reinstate"),
            name="reinstate",
        ),
        path(
            "certificates/<int:pk>/revoke/",
            certificate.as_view(action="revoke"),
            name="revoke",
        ),
        path("challenges/", admin_views.ChallengeListView.as_view(), name="challenges"),
        path("challenges/<int:pk>/", challenge.as_view(), name="challenge"),
        path(
            "challenges/<int:pk>/resolve/",
            challenge.as_view(action="resolve"),
            name="resolve",
        ),
    ]
    return [
        path(
            "experts/",
            include((urlpatterns, "expert_review"), namespace="expert_review"),
        )
    ]


@hooks.register("register_admin_menu_item")
def register_certification_menu():
    menu = Menu(
        items=[
            ReviewerMenuItem(
                _("Applications"),
                reverse("expert_review:applications"),
                name="expert-applications",
                icon_name="form",
                order=100,
            ),
            ReviewerMenuItem(
                _("Certificates"),
                reverse("expert_review:certificates"),
                name="expert-certificates",
                icon_name="tick-inverse",
                order=200,
            ),
            ReviewerMenuItem(
                _("Challenges"),
                reverse("expert_review:challenges"),
                name="expert-challenges",
                icon_name="warning",
                order=300,
            ),
        ]
    )
    return SubmenuMenuItem(_("Experts"), menu, name="experts", icon_name="user", order=330)

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


def _decision_paths(prefix: str, view, name: str) -> list:
    """The detail page of one object and one POST URL per action the view declares
    (`actions`): e.g. applications/<pk>/ and applications/<pk>/request-info/."""
    return [
        path(f"{prefix}/<int:pk>/", view.as_view(), name=name),
        *(
            path(
                f"{prefix}/<int:pk>/{action.replace('_', '-')}/",
                view.as_view(action=action),
                name=action,
            )
            for action in view.actions
        ),
    ]


@hooks.register("register_admin_urls")
def register_certification_urls():
    urlpatterns = [
        path("", admin_views.ApplicationQueueView.as_view(), name="applications"),
        *_decision_paths("applications", admin_views.ApplicationReviewView, "application"),
        path("certificates/", admin_views.CertificateListView.as_view(), name="certificates"),
        *_decision_paths("certificates", admin_views.CertificateReviewView, "certificate"),
        path("challenges/", admin_views.ChallengeListView.as_view(), name="challenges"),
        *_decision_paths("challenges", admin_views.ChallengeReviewView, "challenge"),
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

"""Reviews in the Wagtail admin: purchase codes (listed, exported, generated in batches)
and the "Moderation" section (flagged reviews, a review's moderation page, hidden
reviews). The views live in admin_views.py; this module only registers them."""

import django_filters
from django.urls import include, path, reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from wagtail import hooks
from wagtail.admin.filters import WagtailFilterSet
from wagtail.admin.menu import Menu, MenuItem, SubmenuMenuItem
from wagtail.admin.ui.tables import DateColumn
from wagtail.admin.views import generic
from wagtail.admin.viewsets.model import ModelViewSet
from wagtail.admin.widgets import BooleanRadioSelect
from wagtail.admin.widgets.button import HeaderButton

from community.members.selectors import is_moderator
from community.reviews import admin_views
from community.reviews.models import PurchaseCode
from community.reviews.selectors import purchase_code_list_for

# --- purchase codes --------------------------------------------------------------------


class PurchaseCodeFilterSet(WagtailFilterSet):
    batch = django_filters.CharFilter(label=_("Batch"), lookup_expr="exact")
    redeemed = django_filters.BooleanFilter(
        label=pgettext_lazy("purchase code filter: yes/no", "Redeemed"),
        method="filter_redeemed",
        widget=BooleanRadioSelect,
    )

    class Meta:
        model = PurchaseCode
        fields = ["brand", "batch"]

    def filter_redeemed(self, queryset, name, value):
        if value is None:
            return queryset
        return queryset.filter(redeemed_at__isnull=not value)


class PurchaseCodeIndexView(generic.IndexView):
    def get_base_queryset(self):
        return purchase_code_list_for(user=self.request.user)

    @cached_property
    def header_buttons(self):
        buttons = super().header_buttons
        if self.user_has_permission("add"):
            buttons.append(
                HeaderButton(
                    _("Generate codes"),
                    url=reverse("purchase_codes:generate"),
                    icon_name="plus",
                )
            )
        return buttons


class PurchaseCodeViewSet(ModelViewSet):
    """Codes are listed and exported; they are only ever created in batches
    by the "Generate codes" view (services.purchase_codes_generate), never one by one,
    and never edited or deleted here."""

    model = PurchaseCode
    icon = "key"
    menu_label = _("Purchase codes")
    menu_order = 310
    add_to_admin_menu = True
    index_view_class = PurchaseCodeIndexView
    list_per_page = 50
    list_display = [
        "code",
        "brand",
        "batch",
        DateColumn("created_at", label=_("Created"), sort_key="created_at"),
        DateColumn(
            "redeemed_at", label=pgettext_lazy("date column", "Redeemed on"), sort_key="redeemed_at"
        ),
        "redeemed_by",
    ]
    filterset_class = PurchaseCodeFilterSet
    search_fields = ["code", "batch"]
    list_export = ["code", "brand.name", "batch", "created_at", "redeemed_at", "redeemed_by"]
    export_headings = {
        "code": pgettext_lazy("purchase code", "Code"),
        "brand.name": _("Brand"),
        "batch": _("Batch"),
        "created_at": _("Created"),
        "redeemed_at": pgettext_lazy("date column", "Redeemed on"),
        "redeemed_by": _("Redeemed by"),
    }
    export_filename = "purchase-codes"
    inspect_view_enabled = False  # the list shows every field; one view to scope
    copy_view_enabled = False
    add_to_reference_index = False

    def get_common_view_kwargs(self, **kwargs):
        # No single-code add, edit, copy or delete views: leave their URLs out of the
        # listing and inspect views.
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        for name in ("add_url_name", "edit_url_name", "delete_url_name", "copy_url_name"):
            view_kwargs[name] = None
        return view_kwargs

    def get_urlpatterns(self):
        return [
            path("", self.index_view, name="index"),
            path("results/", self.index_results_view, name="index_results"),
            path(
                "generate/",
                admin_views.PurchaseCodeGenerateView.as_view(),
                name="generate",
            ),
        ]


@hooks.register("register_admin_viewset")
def register_purchase_code_viewset():
    return PurchaseCodeViewSet("purchase_codes")


# --- moderation ------------------------------------------------------------------------


class ModeratorMenuItem(MenuItem):
    """Shown to moderators only; the views check the permission again themselves."""

    def is_shown(self, request):
        return is_moderator(request.user)


@hooks.register("register_admin_urls")
def register_moderation_urls():
    urlpatterns = [
        path("", admin_views.ModerationQueueView.as_view(), name="queue"),
        path("hidden/", admin_views.HiddenReviewListView.as_view(), name="hidden"),
        path(
            "reviews/<int:pk>/",
            admin_views.ReviewModerationView.as_view(),
            name="review",
        ),
        path(
            "reviews/<int:pk>/hide/",
            admin_views.ReviewModerationView.as_view(action="hide"),
            name="hide",
        ),
        path(
            "reviews/<int:pk>/restore/",
            admin_views.ReviewModerationView.as_view(action="restore"),
            name="restore",
        ),
        path(
            "reviews/<int:pk>/dismiss/",
            admin_views.ReviewModerationView.as_view(action="dismiss"),
            name="dismiss",
        ),
    ]
    return [
        path(
            "moderation/",
            include((urlpatterns, "review_moderation"), namespace="review_moderation"),
        )
    ]


@hooks.register("register_admin_menu_item")
def register_moderation_menu():
    menu = Menu(
        items=[
            ModeratorMenuItem(
                _("Flagged reviews"),
                reverse("review_moderation:queue"),
                name="flagged-reviews",
                icon_name="warning",
                order=100,
            ),
            ModeratorMenuItem(
                _("Hidden reviews"),
                reverse("review_moderation:hidden"),
                name="hidden-reviews",
                icon_name="no-view",
                order=200,
            ),
        ]
    )
    return SubmenuMenuItem(_("Moderation"), menu, name="moderation", icon_name="warning", order=320)

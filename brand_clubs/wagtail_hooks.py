"""The "Brands" section of the Wagtail admin: categories, brands, brand staff, products
and clubs.

Catalogue rows (brands, categories, products, staff links) are plain data without domain
rules beyond their constraints, so the generic Wagtail create/edit views save them. The
product rating summary is maintained by the review services and is never editable here.
Saving or deleting a brand staff link re-derives the brand's "Club editors" group.

Clubs have domain rules (covers through the image pipeline, the owner membership, the
club page), so their form saves through services.clubs and services.pages. A brand's
staff see and edit only their own brands' clubs (ClubPermissionPolicy); site staff with
the brand_clubs club permissions see all.
"""

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms import WagtailAdminModelForm
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, ObjectList, TitleFieldPanel
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.button import HeaderButton
from wagtail.admin.widgets.chooser import BaseChooser
from wagtail.permission_policies import ModelPermissionPolicy
from wagtail.permissions import register_permission_policy

from brand_clubs.choosers import product_chooser_viewset
from brand_clubs.models import Brand, BrandStaff, Category, Club, ClubPage, Product
from brand_clubs.services.pages import brand_club_editors_sync, club_page_ensure
from community.errors import DomainError
from community.http import form_add_domain_error

# --- who manages clubs -----------------------------------------------------------------


class ClubPermissionPolicy(ModelPermissionPolicy):
    """Site staff with brand_clubs.change_club (or add/delete for those actions) manage
    every club. A brand's active staff may add, view and change the clubs of their own
    brands: their "Club editors" group gives them brand_clubs.view_club as a marker
    (services.pages), and BrandStaff rows say which brands; they never gain rights over
    other brands' clubs. Deleting stays with the model permission: clubs are closed."""

    BRAND_STAFF_ACTIONS = frozenset({"add", "change", "view"})

    def _site_wide(self, user, action) -> bool:
        if action == "view":
            return user.has_perm("brand_clubs.change_club")
        return super().user_has_permission(user, action)

    @staticmethod
    def _staffed_brand_ids(user) -> set[int]:
        # The marker check uses permissions Django has already cached, so the admin
        # menu costs no query for everyone who is not a club editor.
        if not (user and user.is_active and user.has_perm("brand_clubs.view_club")):
            return set()
        cached = getattr(user, "_club_policy_brand_ids", None)
        if cached is None:
            cached = set(BrandStaff.objects.filter(member=user).values_list("brand_id", flat=True))
            user._club_policy_brand_ids = cached
        return cached

    def user_has_permission(self, user, action):
        if self._site_wide(user, action):
            return True
        return action in self.BRAND_STAFF_ACTIONS and bool(self._staffed_brand_ids(user))

    def user_has_any_permission(self, user, actions):
        if any(self._site_wide(user, action) for action in actions):
            return True
        return bool(self.BRAND_STAFF_ACTIONS.intersection(actions)) and bool(
            self._staffed_brand_ids(user)
        )

    def user_has_permission_for_instance(self, user, action, instance):
        if self._site_wide(user, action):
            return True
        return action in self.BRAND_STAFF_ACTIONS and instance.brand_id in self._staffed_brand_ids(
            user
        )

    def instances_user_has_any_permission_for(self, user, actions):
        if any(self._site_wide(user, action) for action in actions):
            return Club.objects.all()
        if not self.BRAND_STAFF_ACTIONS.intersection(actions):
            return Club.objects.none()
        return Club.objects.filter(brand_id__in=self._staffed_brand_ids(user))

    def users_with_any_permission(self, actions):
        users = super().users_with_any_permission(actions)
        if not self.BRAND_STAFF_ACTIONS.intersection(actions):
            return users
        staff = users.model.objects.filter(brand_links__isnull=False, is_active=True)
        return (users | staff).distinct()


club_permission_policy = ClubPermissionPolicy(Club)
register_permission_policy(Club, club_permission_policy)


def brands_for_club_editor(user):
    """Brands `user` may put a club under: all for site staff who add clubs, otherwise
    the brands they are staff of."""
    if user.has_perm("brand_clubs.add_club"):
        return Brand.objects.order_by("name")
    return Brand.objects.filter(staff_links__member=user).order_by("name").distinct()


# --- a member chooser for the brand staff form ---------------------------------------


def member_label(member) -> str:
    """Staff pick people by e-mail; everyone else only ever sees the public name."""
    return f"{member.public_name} <{member.email}>"


def can_manage_brand_staff(user) -> bool:
    return user.has_perm("brand_clubs.add_brandstaff") or user.has_perm(
        "brand_clubs.change_brandstaff"
    )


class MemberSearchForm(BaseFilterForm):
    q = forms.CharField(
        label=_("Search term"),
        required=False,
        widget=forms.TextInput(attrs={"placeholder": _("E-mail or display name")}),
    )

    def filter(self, objects):
        objects = super().filter(objects)
        query = (self.cleaned_data.get("q") or "").strip()
        if query:
            objects = objects.filter(Q(email__icontains=query) | Q(display_name__icontains=query))
            self.is_searching = True
            self.search_query = query
        return objects


class MemberChooserAccessMixin:
    """The chooser lists e-mail addresses: only people who manage brand staff see it."""

    def dispatch(self, request, *args, **kwargs):
        if not can_manage_brand_staff(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


class MemberChooseViewMixin(MemberChooserAccessMixin):
    filter_form_class = MemberSearchForm
    ordering = ["email"]

    def get_object_list(self):
        return self.model_class.objects.filter(is_active=True)

    @property
    def title_column(self):
        column = super().title_column
        column.accessor = member_label
        column.label = _("Member")
        return column


class MemberChooseView(MemberChooseViewMixin, chooser_views.ChooseView):
    pass


class MemberChooseResultsView(MemberChooseViewMixin, chooser_views.ChooseResultsView):
    pass


class MemberChosenView(MemberChooserAccessMixin, chooser_views.ChosenView):
    def get_display_title(self, instance):
        return member_label(instance)


class MemberChosenMultipleView(MemberChooserAccessMixin, chooser_views.ChosenMultipleView):
    def get_display_title(self, instance):
        return member_label(instance)


class MemberChooserWidgetBase(BaseChooser):
    show_edit_link = False

    def get_display_title(self, instance):
        return member_label(instance)


class MemberChooserViewSet(ChooserViewSet):
    model = "members.Member"
    icon = "user"
    choose_one_text = _("Choose a member")
    choose_another_text = _("Choose another member")
    page_title = _("Choose a member")
    per_page = 20
    # Only the brand staff form uses it; user fields elsewhere keep their own widgets.
    register_widget = False
    base_widget_class = MemberChooserWidgetBase
    choose_view_class = MemberChooseView
    choose_results_view_class = MemberChooseResultsView
    chosen_view_class = MemberChosenView
    chosen_multiple_view_class = MemberChosenMultipleView


member_chooser_viewset = MemberChooserViewSet("brand_member_chooser")


# --- index views that select what their columns show ---------------------------------


class BrandIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().annotate(staff_count=Count("staff_links"))


class BrandStaffIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("brand", "member")


class BrandStaffSyncMixin:
    """After a staff link is saved, the brand's club editor group follows (and the
    former brand's, when the link moved)."""

    def save_instance(self):
        instance = super().save_instance()
        brand_club_editors_sync(brand=instance.brand)
        before = getattr(self, "_brand_id_before", None)
        if before is not None and before != instance.brand_id:
            brand_club_editors_sync(brand=Brand.objects.get(pk=before))
        return instance


class BrandStaffCreateView(BrandStaffSyncMixin, generic.CreateView):
    pass


class BrandStaffEditView(BrandStaffSyncMixin, generic.EditView):
    def get_object(self, queryset=None):
        obj = super().get_object(queryset)
        self._brand_id_before = obj.brand_id
        return obj


class BrandStaffDeleteView(generic.DeleteView):
    def delete_action(self):
        brand = self.object.brand
        super().delete_action()
        brand_club_editors_sync(brand=brand)


class ProductIndexView(generic.IndexView):
    def get_base_queryset(self):
        return super().get_base_queryset().select_related("brand", "category")


# --- viewsets -------------------------------------------------------------------------


class CategoryViewSet(ModelViewSet):
    model = Category
    icon = "tag"
    menu_label = _("Categories")
    list_display = ["name", "slug"]
    search_fields = ["name", "slug"]
    ordering = ["name"]
    panels = [TitleFieldPanel("name"), FieldPanel("slug")]


def _brand_staff_url(brand) -> str:
    return reverse("brand_staff:index") + f"?brand={brand.pk}"


class BrandViewSet(ModelViewSet):
    model = Brand
    icon = "site"
    menu_label = _("Brands")
    index_view_class = BrandIndexView
    list_display = [
        "name",
        "slug",
        BooleanColumn("verified", label=_("Verified brand"), sort_key="verified"),
        TitleColumn(
            "staff_count",
            label=_("Staff members"),
            sort_key="staff_count",
            get_url=_brand_staff_url,
        ),
        DateColumn("created_at", label=_("Created"), sort_key="created_at"),
    ]
    list_filter = ["verified"]
    search_fields = ["name", "slug"]
    ordering = ["name"]
    panels = [
        TitleFieldPanel("name"),
        FieldPanel("slug"),
        FieldPanel("verified"),
        FieldPanel("logo"),
        FieldPanel("description"),
    ]


class BrandStaffViewSet(ModelViewSet):
    model = BrandStaff
    icon = "group"
    menu_label = _("Brand staff")
    index_view_class = BrandStaffIndexView
    list_display = [
        "member",
        Column("member_email", label=_("E-mail address"), accessor="member.email"),
        "brand",
        "role",
        DateColumn("added_at", label=_("Added"), sort_key="added_at"),
    ]
    list_filter = ["brand", "role"]
    search_fields = ["member__email", "member__display_name", "brand__name"]
    ordering = ["brand__name", "member__email"]
    copy_view_enabled = False
    add_view_class = BrandStaffCreateView
    edit_view_class = BrandStaffEditView
    delete_view_class = BrandStaffDeleteView
    panels = [
        FieldPanel("brand"),
        FieldPanel("member", widget=member_chooser_viewset.widget_class),
        FieldPanel("role"),
    ]


class ProductViewSet(ModelViewSet):
    model = Product
    icon = "pick"
    menu_label = _("Products")
    index_view_class = ProductIndexView
    list_display = [
        "name",
        "brand",
        "category",
        Column("rating_count", label=_("Reviews"), sort_key="rating_count"),
    ]
    list_filter = ["brand", "category"]
    search_fields = ["name"]
    ordering = ["name"]
    panels = [
        MultiFieldPanel(
            [TitleFieldPanel("name"), FieldPanel("slug")], heading=_("Name and address")
        ),
        FieldPanel("brand"),
        FieldPanel("category"),
        FieldPanel("description"),
        FieldPanel("image"),
    ]


# --- clubs ----------------------------------------------------------------------------


class ClubAdminForm(WagtailAdminModelForm):
    """The club's own fields; the cover is an upload the service re-encodes (never
    opened here), and the brand is fixed once the club exists (its page, editors and
    members belong to that brand)."""

    cover = forms.FileField(
        label=_("Cover image"),
        required=False,
        help_text=_("JPEG, PNG, WebP or HEIC; shown on the club's card and page header."),
        widget=forms.FileInput(attrs={"accept": "image/*"}),
    )
    remove_cover = forms.BooleanField(
        label=_("Remove the cover image"),
        required=False,
        help_text=_("Ignored when a new cover is uploaded."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        brand = self.fields.get("brand")
        if brand is None:
            return
        if self.instance.pk:
            brand.disabled = True
            brand.help_text = _("A club stays with its brand.")
        elif self.for_user is not None:
            brand.queryset = brands_for_club_editor(self.for_user)


CLUB_FORM_FIELDS = ("name", "slug", "description", "rules", "visibility", "is_closed")


class ClubSaveMixin:
    """Save through the services; a DomainError becomes a form error, and nothing is
    written (the generic view's transaction rolls back)."""

    def form_valid(self, form):
        try:
            return super().form_valid(form)
        except DomainError as exc:
            form_add_domain_error(form, exc)
            self.produced_error_code = "validation_error"
            self.produced_error_message = self.get_error_message()
            return self.form_invalid(form)


class ClubCreateView(ClubSaveMixin, generic.CreateView):
    def save_instance(self):
        from brand_clubs.services.clubs import club_create

        data = self.form.cleaned_data
        club = club_create(
            actor=self.request.user,
            brand=data["brand"],
            cover=data.get("cover") or None,
            **{name: data[name] for name in CLUB_FORM_FIELDS},
        )
        club_page_ensure(club=club)
        return club


class ClubEditView(ClubSaveMixin, generic.EditView):
    def get_queryset(self):
        return club_permission_policy.instances_user_has_permission_for(self.request.user, "change")

    def save_instance(self):
        from brand_clubs.services.clubs import club_update

        data = self.form.cleaned_data
        fields = {name: data[name] for name in CLUB_FORM_FIELDS}
        if data.get("cover"):
            fields["cover"] = data["cover"]
        elif data.get("remove_cover"):
            fields["remove_cover"] = True
        # A fresh row: the form has already written its values onto self.object, and
        # the service must see what changed.
        club = club_update(
            club=Club.objects.get(pk=self.object.pk), actor=self.request.user, **fields
        )
        club_page_ensure(club=club)
        return club

    @cached_property
    def header_more_buttons(self):
        buttons = list(super().header_more_buttons)
        page = getattr(self.object, "page", None) if self.object else None
        if page is not None:
            buttons.append(
                HeaderButton(
                    _("Edit club page"),
                    url=reverse("wagtailadmin_pages:edit", args=[page.pk]),
                    icon_name="doc-full",
                )
            )
        buttons.append(
            HeaderButton(_("View on site"), url=self.object.get_absolute_url(), icon_name="view")
        )
        return buttons


class ClubIndexView(generic.IndexView):
    def get_base_queryset(self):
        return (
            club_permission_policy.instances_user_has_any_permission_for(
                self.request.user, ["change", "view"]
            )
            .select_related("brand", "page")
            .order_by("name")
        )


def _club_page_edit_url(club) -> str | None:
    page = getattr(club, "page", None)
    return reverse("wagtailadmin_pages:edit", args=[page.pk]) if page is not None else None


def _club_page_label(club) -> str:
    page = getattr(club, "page", None)
    if page is None:
        return _("No page yet")
    return _("Edit page (live)") if page.live else _("Edit page (draft)")


class ClubViewSet(ModelViewSet):
    model = Club
    icon = "group"
    menu_label = _("Clubs")
    index_view_class = ClubIndexView
    add_view_class = ClubCreateView
    edit_view_class = ClubEditView
    copy_view_enabled = False
    inspect_view_enabled = False
    add_to_reference_index = False
    list_display = [
        "name",
        "brand",
        Column("visibility", label=_("Visibility"), accessor="get_visibility_display"),
        Column("member_count", label=_("Members"), sort_key="member_count"),
        BooleanColumn("is_closed", label=_("Closed"), sort_key="is_closed"),
        TitleColumn(
            "club_page",
            label=_("Club page"),
            accessor=_club_page_label,
            get_url=_club_page_edit_url,
        ),
        TitleColumn(
            "on_site",
            label=_("On the site"),
            accessor=lambda club: _("View"),
            get_url=lambda club: club.get_absolute_url(),
        ),
    ]
    list_filter = ["visibility", "is_closed"]
    search_fields = ["name", "slug", "brand__name"]
    ordering = ["name"]
    edit_handler = ObjectList(
        [
            FieldPanel("brand"),
            MultiFieldPanel(
                [TitleFieldPanel("name"), FieldPanel("slug")], heading=_("Name and address")
            ),
            FieldPanel("description"),
            FieldPanel("rules"),
            FieldPanel("visibility"),
            FieldPanel("is_closed"),
            FieldPanel("cover"),
            FieldPanel("remove_cover"),
        ],
        base_form_class=ClubAdminForm,
    )

    def get_common_view_kwargs(self, **kwargs):
        # Clubs are closed, not deleted (their page, posts and events hang on them).
        view_kwargs = super().get_common_view_kwargs(**kwargs)
        view_kwargs["delete_url_name"] = None
        return view_kwargs

    def get_urlpatterns(self):
        return [url for url in super().get_urlpatterns() if url.name != "delete"]


class BrandsViewSetGroup(ModelViewSetGroup):
    menu_label = _("Brands")
    menu_icon = "site"
    menu_order = 300
    items = (
        BrandViewSet("brands"),
        ClubViewSet("clubs"),
        ProductViewSet("products"),
        CategoryViewSet("categories"),
        BrandStaffViewSet("brand_staff"),
    )


@hooks.register("before_delete_page")
def keep_club_pages(request, page):
    """Wagtail lets page editors delete pages they may change; a club's page goes only
    with its club (club_page_ensure would otherwise bring back an empty draft)."""
    if (
        page.specific_class is ClubPage
        and not request.user.is_superuser
        and ClubPage.objects.filter(pk=page.pk, club__isnull=False).exists()
    ):
        messages.error(request, _("A club's page cannot be deleted; close the club instead."))
        return redirect("wagtailadmin_pages:edit", page.pk)
    return None


@hooks.register("register_admin_viewset")
def register_brand_viewsets():
    return [member_chooser_viewset, product_chooser_viewset, BrandsViewSetGroup()]

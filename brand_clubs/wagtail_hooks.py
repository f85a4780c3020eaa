"""The "Brands" section of the Wagtail admin: categories, brands, brand staff, products.

Catalogue rows (brands, categories, products, staff links) are plain data without domain
rules beyond their constraints, so the generic Wagtail create/edit views save them. The
product rating summary is maintained by the review services and is never editable here.
"""

from django import forms
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail import hooks
from wagtail.admin.forms.choosers import BaseFilterForm
from wagtail.admin.panels import FieldPanel, MultiFieldPanel, TitleFieldPanel
from wagtail.admin.ui.tables import BooleanColumn, Column, DateColumn, TitleColumn
from wagtail.admin.views import generic
from wagtail.admin.views.generic import chooser as chooser_views
from wagtail.admin.viewsets.chooser import ChooserViewSet
from wagtail.admin.viewsets.model import ModelViewSet, ModelViewSetGroup
from wagtail.admin.widgets.chooser import BaseChooser

from brand_clubs.models import Brand, BrandStaff, Category, Product

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


class BrandsViewSetGroup(ModelViewSetGroup):
    menu_label = _("Brands")
    menu_icon = "site"
    menu_order = 300
    items = (
        BrandViewSet("brands"),
        ProductViewSet("products"),
        CategoryViewSet("categories"),
        BrandStaffViewSet("brand_staff"),
    )


@hooks.register("register_admin_viewset")
def register_brand_viewsets():
    return [member_chooser_viewset, BrandsViewSetGroup()]

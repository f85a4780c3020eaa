"""Wagtail choosers of catalogue objects, for StreamField blocks of club pages."""

from django.utils.translation import gettext_lazy as _
from wagtail.admin.viewsets.chooser import ChooserViewSet


class ProductChooserViewSet(ChooserViewSet):
    model = "brand_clubs.Product"
    icon = "tag"
    choose_one_text = _("Choose a product")
    choose_another_text = _("Choose another product")
    edit_item_text = _("Edit this product")
    form_fields = []  # products are created in Brands > Products, not from a chooser
    per_page = 20


product_chooser_viewset = ProductChooserViewSet("product_chooser")

"""StreamField blocks of club landing pages."""

from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.images.blocks import ImageBlock

from brand_clubs.choosers import product_chooser_viewset

ProductChooserBlock = product_chooser_viewset.get_block_class(
    name="ProductChooserBlock", module_path="brand_clubs.blocks"
)

MAX_UPCOMING_EVENTS = 12


class ProductListBlock(blocks.StructBlock):
    heading = blocks.CharBlock(label=_("heading"), required=False, max_length=120)
    products = blocks.ListBlock(ProductChooserBlock(), label=_("products"), max_num=12)

    class Meta:
        icon = "tag"
        label = _("Product list")
        template = "brand_clubs/blocks/product_list.html"

    def get_context(self, value, parent_context=None):
        """The chosen products in the editor's order, re-read in one query with what the
        cards show (brand, category, rating summary); products deleted since are skipped."""
        from brand_clubs.models import Product

        context = super().get_context(value, parent_context=parent_context)
        ids = [product.pk for product in value["products"] if product is not None]
        found = Product.objects.select_related("brand", "category").in_bulk(ids)
        context["products"] = [found[pk] for pk in dict.fromkeys(ids) if pk in found]
        return context


class UpcomingEventsBlock(blocks.StructBlock):
    """The club's next events that the viewer may see, read when the page renders."""

    heading = blocks.CharBlock(
        label=_("heading"), required=False, max_length=120, default=_("Upcoming events")
    )
    count = blocks.IntegerBlock(
        label=_("how many"), min_value=1, max_value=MAX_UPCOMING_EVENTS, default=3
    )

    class Meta:
        icon = "date"
        label = _("Upcoming events")
        template = "brand_clubs/blocks/upcoming_events.html"

    def get_context(self, value, parent_context=None):
        from brand_clubs.selectors.events import event_list_upcoming_for_club

        context = super().get_context(value, parent_context=parent_context)
        parent_context = parent_context or {}
        club = parent_context.get("club")
        request = parent_context.get("request")
        viewer = getattr(request, "user", None)
        context["events"] = (
            event_list_upcoming_for_club(club=club, viewer=viewer, limit=value["count"])
            if club is not None
            else []
        )
        return context


CLUB_PAGE_BLOCKS = [
    ("heading", blocks.CharBlock(form_classname="title", label=_("heading"))),
    ("paragraph", blocks.RichTextBlock(label=_("text"))),
    ("image", ImageBlock(label=_("image"))),
    ("products", ProductListBlock()),
    ("upcoming_events", UpcomingEventsBlock()),
]

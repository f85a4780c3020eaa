from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail import blocks
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField, StreamField
from wagtail.images.blocks import ImageBlock
from wagtail.models import Page

HOME_LATEST_REVIEWS = 10
HOME_TOP_PRODUCTS = 8


class HomePage(Page):
    """The site's front page: editorial intro from Wagtail, live reviews from the DB."""

    intro = RichTextField(_("introduction"), blank=True)
    latest_reviews_count = models.PositiveSmallIntegerField(
        _("latest reviews shown"), default=HOME_LATEST_REVIEWS
    )

    content_panels = [*Page.content_panels, FieldPanel("intro"), FieldPanel("latest_reviews_count")]
    max_count = 1
    subpage_types = [
        "home.StandardPage",
        "brand_clubs.ClubIndexPage",
        "experts.KnowledgeBaseIndexPage",
    ]

    class Meta:
        verbose_name = _("home page")

    def get_context(self, request, *args, **kwargs):
        from brand_clubs.selectors import product_list_top_rated
        from community.reviews.selectors import review_list_latest

        context = super().get_context(request, *args, **kwargs)
        context["latest_reviews"] = review_list_latest(
            viewer=request.user, limit=min(self.latest_reviews_count, 50)
        )
        context["top_products"] = product_list_top_rated(limit=HOME_TOP_PRODUCTS)
        return context


class StandardPage(Page):
    """Guides and other editorial pages."""

    body = StreamField(
        [
            ("heading", blocks.CharBlock(form_classname="title")),
            ("paragraph", blocks.RichTextBlock()),
            ("image", ImageBlock()),
            ("quote", blocks.BlockQuoteBlock()),
        ],
        blank=True,
    )

    content_panels = [*Page.content_panels, FieldPanel("body")]
    subpage_types = ["home.StandardPage"]

    class Meta:
        verbose_name = _("standard page")

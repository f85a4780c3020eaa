"""Wagtail pages of clubs: the editorial landing content brand staff write.

A club lives at its own URL (/clubs/<slug>/, a Django view) which renders the club's
live page body around its members, feed and events. The ClubPage holds only that body,
with Wagtail's drafts, previews and publishing; its URL in Wagtail is the club's URL.
"""

from django.db import models
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import StreamField
from wagtail.models import Page

from brand_clubs.blocks import CLUB_PAGE_BLOCKS
from brand_clubs.models.clubs import Club


class ClubIndexPage(Page):
    """The "Clubs" section of the page tree, parent of every club page; the club
    directory itself is a Django view at /clubs/."""

    max_count = 1
    parent_page_types = ["home.HomePage"]
    subpage_types = ["brand_clubs.ClubPage"]

    class Meta:
        verbose_name = _("club section")

    def get_url_parts(self, request=None):
        parts = super().get_url_parts(request)
        if parts is None:
            return None
        site_id, root_url, _page_path = parts
        return site_id, root_url, reverse("brand_clubs:club_list")

    def serve(self, request, *args, **kwargs):
        return redirect("brand_clubs:club_list")


class ClubPage(Page):
    club = models.OneToOneField(
        Club,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="page",
        verbose_name=_("club"),
        help_text=_("The club whose landing content this is."),
    )

    body = StreamField(CLUB_PAGE_BLOCKS, blank=True, verbose_name=_("landing content"))

    # The club is set once by services.pages.club_page_ensure: editors of one brand must
    # not re-point their page at another brand's club.
    content_panels = [*Page.content_panels, FieldPanel("club", read_only=True), FieldPanel("body")]
    parent_page_types = ["brand_clubs.ClubIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("club page")

    def get_url_parts(self, request=None):
        parts = super().get_url_parts(request)
        if parts is None or self.club_id is None:
            return parts
        site_id, root_url, _page_path = parts
        return site_id, root_url, reverse("brand_clubs:club", args=[self.club.slug])

    def serve(self, request, *args, **kwargs):
        if self.club_id is None:
            return super().serve(request, *args, **kwargs)
        return redirect(self.club.get_absolute_url())

    def serve_preview(self, request, mode_name):
        """Show the draft inside the real club page, as members will see it."""
        from brand_clubs.views.clubs import render_club_home

        if self.club_id is None:
            return super().serve_preview(request, mode_name)
        return render_club_home(request, self.club, landing_page=self)

"""Wagtail pages in the site's search, through the same interface as reviews: live,
public pages only (no view restrictions). Club pages and the club section are left out:
a club page's text is part of its club's document (brand_clubs/search_documents.py),
and its URL is the club's own."""

from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _
from wagtail.models import Page, PageViewRestriction

from brand_clubs.models import ClubIndexPage, ClubPage
from community.home.models import HomePage, StandardPage
from search.documents import PUBLIC, DocumentType, IndexDocument
from search.registry import register


def page_text(page) -> str:
    """The readable text of a page's own fields."""
    specific = page.specific
    parts = []
    if isinstance(specific, HomePage):
        parts.append(strip_tags(specific.intro))
    elif isinstance(specific, StandardPage):
        for block in specific.body:
            if block.block_type == "image":
                continue
            parts.append(
                strip_tags(
                    str(block.value.source if hasattr(block.value, "source") else block.value)
                )
            )
    if page.search_description:
        parts.append(page.search_description)
    return "\n".join(part for part in parts if part)


@register
class PageDocument(DocumentType):
    name = "page"
    model = Page
    label = _("Pages")

    def get_queryset(self):
        return (
            Page.objects.live()
            .public()
            .filter(depth__gt=1)
            .not_type(ClubPage, ClubIndexPage)
            .specific()
        )

    def to_document(self, obj) -> IndexDocument:
        return IndexDocument(
            doc_type=self.name,
            doc_id=obj.pk,
            title=obj.seo_title or obj.title,
            body=page_text(obj),
            url=obj.url or "",
            created=obj.first_published_at or obj.latest_revision_created_at,
            visibility=[PUBLIC],
        )

    def dependencies(self):
        return {
            HomePage: lambda page: [page.pk],
            StandardPage: lambda page: [page.pk],
            # A view restriction (login, password, groups) hides a page and everything
            # below it; it is a row of its own, saved without saving any page.
            PageViewRestriction: lambda restriction: Page.objects.descendant_of(
                restriction.page, inclusive=True
            ).values_list("pk", flat=True),
        }

"""Reads of the reputation ledger for the member's own page: totals per club and field
and the ledger itself, each row with a link to what earned it, in a fixed number of
queries per page (the sources are fetched per content type)."""

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.paginator import Page, Paginator

from brand_clubs.models import ClubPost, Event
from community.reputation.models import ReputationEntry, ReputationScore
from community.reviews.models import Review
from experts.models import Answer, Question

LEDGER_PAGE_SIZE = 50


def reputation_scores(*, member) -> dict[str, list[ReputationScore]]:
    """The member's non-zero totals per club and per field, largest first."""
    scores = (
        ReputationScore.objects.filter(member=member)
        .exclude(total=0)
        .select_related("club", "category")
        .order_by("-total", "pk")
    )
    grouped: dict[str, list[ReputationScore]] = {"clubs": [], "fields": []}
    for score in scores:
        grouped["clubs" if score.club_id else "fields"].append(score)
    return grouped


def _source_link(source) -> tuple[str, str]:
    """(label, url) of what a ledger row is about; ("", "") when it is gone."""
    if source is None:
        return "", ""
    if isinstance(source, Answer):
        return source.question.title, f"{source.question.get_absolute_url()}#answer-{source.pk}"
    if isinstance(source, Review):
        return f"{source.product.name}: {source.title}", source.get_absolute_url()
    if isinstance(source, ClubPost):
        return f"{source.club.name}: {source.body[:60]}", source.get_absolute_url()
    label = getattr(source, "title", "") or str(source)
    return label, source.get_absolute_url() if hasattr(source, "get_absolute_url") else ""


def reputation_ledger_page(*, member, page_number) -> Page:
    rows = (
        ReputationEntry.objects.filter(member=member)
        .select_related("club", "category", "reverses")
        .prefetch_related(
            GenericPrefetch(
                "source",
                [
                    Review.objects.select_related("product"),
                    Answer.objects.select_related("question"),
                    Question.objects.all(),
                    ClubPost.objects.select_related("club"),
                    Event.objects.select_related("club"),
                ],
            )
        )
        .order_by("-created_at", "-pk")
    )
    page = Paginator(rows, LEDGER_PAGE_SIZE).get_page(page_number)
    for entry in page.object_list:
        entry.source_label, entry.source_url = _source_link(entry.source)
    return page

"""Reads of the reputation ledger for the member's own page: totals per club and field
and the ledger itself, each row with a link to what earned it when the member can still
open it, in a fixed number of queries per page (the sources are fetched per content
type, the member's clubs once)."""

from django.contrib.contenttypes.prefetch import GenericPrefetch
from django.core.paginator import Page, Paginator
from django.utils.translation import gettext as _

from brand_clubs.models import ClubPost, Event
from brand_clubs.services.access import ClubStanding, can_see_event, club_standings
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


class _Standings:
    """The member's standing in the clubs of one ledger page, read on first need in at
    most three queries (memberships, brand staff links, the moderator permission), so
    that the page's visibility rules are brand_clubs' own (ClubStanding)."""

    def __init__(self, member, clubs):
        self.member = member
        self.clubs = {club.pk: club for club in clubs}
        self._standings: dict[int, ClubStanding] | None = None

    def __getitem__(self, club_id: int) -> ClubStanding:
        if self._standings is None:
            self._standings = club_standings(user=self.member, clubs=self.clubs.values())
        return self._standings[club_id]


def _source_note(source, standings: _Standings) -> str:
    """Why the member can no longer open what a row is about ("" when they can)."""
    removed, gone = _("Removed by a moderator"), _("No longer available")
    members_only = _("Only for the club's members")
    if isinstance(source, Review):
        if source.status == Review.Status.HIDDEN:
            return removed
        return "" if source.status == Review.Status.PUBLISHED else gone
    if isinstance(source, Answer):
        return removed if source.is_hidden or source.question.is_hidden else ""
    if isinstance(source, Question):
        return removed if source.is_hidden else ""
    if isinstance(source, ClubPost):
        if source.status == ClubPost.Status.HIDDEN:
            return removed
        if source.status != ClubPost.Status.PUBLISHED:
            return gone
        if source.club.is_private and not standings[source.club_id].can_read:
            return members_only
        return ""
    if isinstance(source, Event) and not (
        source.is_public or can_see_event(event=source, standing=standings[source.club_id])
    ):
        return members_only
    return ""


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
    """One page of the member's ledger, newest first. Each row gets `source_label` and
    `source_url` (the link to what it is about) and `source_note`: a short reason when
    there is no link although the row names a source (removed by a moderator, deleted,
    in a club the member no longer belongs to), "" otherwise. A fixed number of queries
    however long the page."""
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
    clubs = [
        entry.source.club
        for entry in page.object_list
        if isinstance(entry.source, ClubPost | Event)
    ]
    standings = _Standings(member, clubs)
    for entry in page.object_list:
        source = entry.source
        if source is None:
            entry.source_label, entry.source_url = "", ""
            entry.source_note = _("No longer available") if entry.source_id else ""
            continue
        entry.source_note = _source_note(source, standings)
        entry.source_label, entry.source_url = _source_link(source)
        if entry.source_note:
            entry.source_url = ""
    return page

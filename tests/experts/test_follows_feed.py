"""The following feed: what followed people did, what it never shows, its cursor and
its fixed query count."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from brand_clubs.models import Club, ClubMembership, Event, EventPhoto, EventReview
from community.reviews.models import Review
from experts.models import Question
from experts.selectors.feed import feed_for, parse_cursor
from tests.experts.factories_directory import EndorsementFactory, FollowFactory
from tests.factories import (
    AnswerFactory,
    CertificateFactory,
    ClubFactory,
    ClubMembershipFactory,
    EventFactory,
    MemberFactory,
    QuestionFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def reader():
    return MemberFactory()


@pytest.fixture
def followed(reader):
    person = MemberFactory()
    FollowFactory(follower=reader, followed=person)
    return person


def _event_review(author, event, **fields):
    return EventReview.objects.create(
        event=event,
        author=author,
        rating=5,
        body="Great ride.",
        body_html="<p>Great ride.</p>",
        **fields,
    )


def _event_photo(uploader, event, **fields):
    names = {
        name: f"events/{event.pk}/x.jpg"
        for name in ("thumb", "thumb_webp", "medium", "medium_webp", "large", "large_webp")
    }
    return EventPhoto.objects.create(
        event=event, uploader=uploader, width=10, height=10, **names, **fields
    )


def _kinds(page):
    return [(item.kind, item.obj.pk) for item in page.items]


def _age(row, minutes):
    """Backdate a row (created_at is auto_now_add)."""
    moment = timezone.now() - timedelta(minutes=minutes)
    type(row).objects.filter(pk=row.pk).update(created_at=moment)


# --- what shows -----------------------------------------------------------------------


def test_feed_merges_every_kind_newest_first(reader, followed):
    public_event = EventFactory(club=ClubFactory(), visibility=Event.Visibility.PUBLIC)
    answer = AnswerFactory(author=followed)
    review = ReviewFactory(author=followed)
    endorsement = EndorsementFactory(certificate__member=followed)
    event_review = _event_review(followed, public_event)
    photo = _event_photo(followed, public_event)
    for minutes, row in enumerate([photo, event_review, endorsement, review, answer], start=1):
        _age(row, minutes)
    AnswerFactory()  # someone not followed
    page = feed_for(member=reader)
    assert _kinds(page) == [
        ("event_photo", photo.pk),
        ("event_review", event_review.pk),
        ("endorsement", endorsement.pk),
        ("review", review.pk),
        ("answer", answer.pk),
    ]
    assert page.next_before is None


def test_feed_never_shows_hidden_answers_or_answers_to_hidden_questions(reader, followed):
    AnswerFactory(author=followed, is_hidden=True)
    hidden_question = QuestionFactory()
    Question.objects.filter(pk=hidden_question.pk).update(is_hidden=True)
    AnswerFactory(author=followed, question=hidden_question)
    visible = AnswerFactory(author=followed)
    assert _kinds(feed_for(member=reader)) == [("answer", visible.pk)]


@pytest.mark.parametrize("status", [Review.Status.HIDDEN, Review.Status.DELETED])
def test_feed_never_shows_unpublished_reviews_or_their_endorsements(reader, followed, status):
    review = ReviewFactory(author=followed)
    EndorsementFactory(certificate__member=followed, review=ReviewFactory())
    endorsed_elsewhere = EndorsementFactory(certificate__member=followed)
    Review.objects.filter(pk__in=[review.pk, endorsed_elsewhere.review_id]).update(status=status)
    assert [kind for kind, _pk in _kinds(feed_for(member=reader))] == ["endorsement"]


def test_feed_never_shows_private_club_event_posts_to_outsiders(reader, followed):
    private = ClubFactory(visibility=Club.Visibility.INVITE)
    members_only = EventFactory(club=private, visibility=Event.Visibility.CLUB)
    _event_review(followed, members_only)
    _event_photo(followed, members_only)
    assert feed_for(member=reader).items == []
    # Once the reader is in the club, they see them.
    membership = ClubMembershipFactory(club=private, member=reader)
    assert len(feed_for(member=reader).items) == 2
    # Banned from the club: gone again.
    ClubMembership.objects.filter(pk=membership.pk).update(status=ClubMembership.Status.BANNED)
    assert feed_for(member=reader).items == []


def test_feed_never_shows_hidden_event_posts(reader, followed):
    event = EventFactory(visibility=Event.Visibility.PUBLIC)
    _event_review(followed, event, status="hidden")
    _event_photo(followed, event, status="deleted")
    assert feed_for(member=reader).items == []


def test_feed_skips_closed_accounts(reader, followed):
    AnswerFactory(author=followed)
    followed.is_active = False
    followed.save()
    assert feed_for(member=reader).items == []


def test_feed_cursor_pages_without_gaps_or_repeats(reader, followed):
    rows = []
    for index in range(7):
        row = AnswerFactory(author=followed) if index % 2 else ReviewFactory(author=followed)
        _age(row, 100 - index)
        rows.append(row)
    seen = []
    before = None
    for _round in range(5):
        page = feed_for(member=reader, before=before, limit=3)
        seen.extend(_kinds(page))
        if page.next_before is None:
            break
        before = page.next_before
    assert len(seen) == 7 and len(set(seen)) == 7
    assert page.next_before is None


def test_cursor_parsing():
    moment = timezone.now().replace(microsecond=123456)
    assert parse_cursor(moment.isoformat()) == moment
    assert parse_cursor(moment.isoformat().replace("+", " ")) == moment  # unquoted +
    assert parse_cursor("yesterday") is None
    assert parse_cursor("") is None
    assert timezone.is_aware(parse_cursor("2025-01-02T03:04:05"))


def test_empty_feed_suggests_experts_not_yet_followed(reader):
    followed_expert = CertificateFactory().member
    suggested = CertificateFactory().member
    page = feed_for(member=reader)
    assert page.items == [] and not page.follows_anyone
    assert {e.pk for e in page.suggestions} == {followed_expert.pk, suggested.pk}
    FollowFactory(follower=reader, followed=followed_expert)
    page = feed_for(member=reader)
    assert page.follows_anyone
    assert [e.pk for e in page.suggestions] == [suggested.pk]


# --- the page -------------------------------------------------------------------------


def test_feed_page_needs_a_login(client):
    response = client.get(reverse("experts:feed"))
    assert response.status_code == 302 and reverse("account_login") in response.url


def test_feed_page_empty_state(client, reader):
    expert = CertificateFactory(headline="Tyre fitter").member
    client.force_login(reader)
    html = client.get(reverse("experts:feed")).content.decode()
    assert "You do not follow anyone yet." in html
    assert reverse("experts:follow", args=[expert.pk]) in html
    assert "Tyre fitter" in html


def test_feed_page_older_link_and_bad_cursor(client, reader, followed):
    for index in range(25):
        _age(ReviewFactory(author=followed, title=f"Review number {index}"), index)
    client.force_login(reader)
    first = client.get(reverse("experts:feed")).content.decode()
    assert first.count('class="card feed-item') == 20
    assert "Review number 0<" in first and "Review number 24<" not in first
    assert "?before=" in first
    older_href = first.split('rel="next" href="')[1].split('"')[0].replace("&amp;", "&")
    older = client.get(reverse("experts:feed") + older_href).content.decode()
    assert older.count('class="card feed-item') == 5
    assert "Review number 24<" in older and "Review number 0<" not in older
    assert 'rel="next"' not in older
    garbage = client.get(reverse("experts:feed") + "?before=not-a-date")
    assert garbage.status_code == 200  # the first page
    for edge in ("0001-01-01T00:00:00%2B05:00", "9999-12-31T23:59:59-05:00"):
        # Valid ISO times whose conversion to UTC leaves the calendar: the first page.
        assert client.get(reverse("experts:feed") + "?before=" + edge).status_code == 200


def test_feed_page_renders_every_kind_with_badged_names(client, reader, followed):
    event = EventFactory(visibility=Event.Visibility.PUBLIC)
    AnswerFactory(author=followed, expert_tier="independent")
    ReviewFactory(author=followed)
    EndorsementFactory(certificate__member=followed)
    _event_review(followed, event)
    _event_photo(followed, event, caption="At the harbour")
    client.force_login(reader)
    html = client.get(reverse("experts:feed")).content.decode()
    for kind in ("answer", "review", "endorsement", "event_review", "event_photo"):
        assert f"feed-item feed-{kind}" in html, kind
    assert "Independent expert" in html  # the endorsement's certificate badges the name
    assert "Expert answer" in html
    assert 'alt="At the harbour"' in html


def _fill_feed(followed, count):
    """`count` rows of each kind by people the reader follows (several people)."""
    event = EventFactory(visibility=Event.Visibility.PUBLIC)
    for index in range(count):
        author = followed[index % len(followed)]
        AnswerFactory(author=author)
        ReviewFactory(author=author)
        EndorsementFactory(certificate__member=author)
        _event_review(author, EventFactory(visibility=Event.Visibility.PUBLIC))
        _event_photo(author, event)


def test_feed_page_query_count_is_fixed(client, reader, django_assert_max_num_queries):
    people = [MemberFactory() for _ in range(3)]
    for person in people:
        FollowFactory(follower=reader, followed=person)
        CertificateFactory(member=person)
    client.force_login(reader)
    counts = []
    for added in (10, 40):  # 10 items of each kind, then 50
        _fill_feed(people, added)
        with django_assert_max_num_queries(15) as captured:
            response = client.get(reverse("experts:feed"))
        assert response.status_code == 200
        assert response.content.decode().count('class="card feed-item') == 20
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts

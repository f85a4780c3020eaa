"""A brand's employee never passes for an independent voice: wherever an author's (or
actor's) name renders, "Brand employee · <brand>" renders beside it (issue 7).

`test_every_author_page_labels_the_brand_employee` opens each page that shows a person's
name through the real views, with a brand-staff expert (certificate of the brand_staff
tier, employer "RoadGrip") as the author, and checks that every occurrence of the name
in the page is followed, within a few tags, by the label.

PAGES lists the templates each page covers. A NEW TEMPLATE THAT SHOWS AN AUTHOR MUST BE
ADDED TO PAGES (and print the name with `{% member_name person %}`, or
`person|member_text` in plain-text places). `test_no_template_prints_a_bare_name` is the
safety net: it fails when a template under templates/ prints `.public_name` outside the
short ALLOWED list, so a new template cannot forget the label silently."""

import re
from pathlib import Path
from types import SimpleNamespace

import pytest
from django.conf import settings
from django.urls import reverse

from brand_clubs.models import Club, ClubInvite, ClubMembership
from brand_clubs.services import events as events_services
from brand_clubs.services import feed as feed_services
from brand_clubs.services.audit import club_audit_record
from community.chat import services as chat
from community.members.services import follow_create
from community.reputation.rules import TrustLevel
from community.reviews import services as reviews
from experts.services import certification, endorsements, knowledge
from experts.services import questions as qa
from tests.brand_clubs.test_events_services import check_in, make_event, start_now
from tests.experts.factories_certification import pdf_upload
from tests.factories import (
    BrandFactory,
    BrandStaffFactory,
    CertificateFactory,
    ClubFactory,
    ClubMembershipFactory,
    MemberFactory,
    ModeratorFactory,
    ProductFactory,
    image_upload,
)

pytestmark = pytest.mark.django_db

NAME = "Rita Staff"
LABEL = "Brand employee · RoadGrip"
# How far after the name the label may come: the byline markup between them (the
# closing </a>, the badge link and its title) is about 200 characters.
WINDOW = 400
SCRIPT_RE = re.compile(r"<script\b.*?</script>", re.S | re.I)


def assert_labelled(html: str, *, at_least: int = 1, page: str = "") -> int:
    """Every occurrence of NAME in the page (outside <script>: JSON-LD names a Person
    plainly, as schema.org expects) is followed by LABEL within WINDOW characters."""
    text = SCRIPT_RE.sub("", html)
    positions = [match.start() for match in re.finditer(re.escape(NAME), text)]
    assert len(positions) >= at_least, f"{page}: the author's name is not on the page"
    for position in positions:
        window = text[position : position + WINDOW]
        assert LABEL in window, (
            f"{page}: unlabelled name at …{text[position - 80 : position + 200]}…"
        )
    return len(positions)


@pytest.fixture
def world(db):
    """One brand-staff expert (the author) active everywhere a name can render."""
    roadgrip = BrandFactory(name="RoadGrip", slug="roadgrip")
    product = ProductFactory(brand=roadgrip, name="Wet Grip Tyre")
    # Established members (trust level 2): their club posts are published at once and
    # may carry photos (new members' posts wait for a moderator).
    author = MemberFactory(display_name=NAME, trust_level=TrustLevel.MEMBER)
    CertificateFactory(member=author, tier="brand_staff", employer=roadgrip, brands=[roadgrip])
    author.refresh_from_db()
    viewer = MemberFactory(display_name="Vera Viewer", trust_level=TrustLevel.MEMBER)
    staff = BrandStaffFactory(brand=roadgrip).member
    moderator = ModeratorFactory(display_name="Max Moderator")

    club = ClubFactory(brand=roadgrip, name="RoadGrip Riders", slug="roadgrip-riders")
    for person in (author, viewer):
        ClubMembershipFactory(club=club, member=person)
    ClubMembershipFactory(club=club, member=staff, role=ClubMembership.Role.OWNER)

    review = reviews.review_create(
        author=author, product=product, rating=5, title="Grips in the rain", body="Tested it."
    )
    reviews.review_flag(review=review, reporter=viewer, reason="spam", note="Works there")
    viewers_review = reviews.review_create(
        author=viewer, product=product, rating=1, title="Slips", body="Not for me."
    )
    reviews.review_flag(review=viewers_review, reporter=author, reason="spam", note="Rival")
    hidden = reviews.review_create(
        author=author, product=ProductFactory(brand=roadgrip), rating=2, title="Meh", body="So so."
    )
    reviews.review_hide(review=hidden, moderator=moderator, reason="Off topic")

    post = feed_services.post_create(
        club=club, author=author, body="Ride report: **dry** roads.", photos=[image_upload()]
    )
    viewers_post = feed_services.post_create(club=club, author=viewer, body="Who rides Sunday?")
    comment = feed_services.comment_create(post=post, author=author, body="Me, on new tyres.")
    feed_services.comment_create(post=viewers_post, author=author, body="I do.")  # notifies

    event = make_event(club, staff)
    events_services.event_rsvp(event=event, member=author)
    check_in(event, author, staff)
    events_services.event_photo_add(event=event, uploader=author, photos=[image_upload()])
    start_now(event)
    events_services.event_review_create(event=event, author=author, rating=5, body="Great.")

    room = chat.room_for_club(user=viewer, club=club)
    first = chat.message_send(author=author, room=room, body="Pressure: 2.4 bar.")
    chat.message_send(author=viewer, room=room, body="Thanks", reply_to_id=first.pk)

    club_audit_record(club=club, actor=author, action="pin", target_repr="a post")
    club_audit_record(club=club, actor=staff, action="remove", member=author, reason="test")
    ClubInvite.objects.create(club=club, token="x" * 20, created_by=author, max_uses=3)

    approval = ClubFactory(brand=roadgrip, slug="roadgrip-vip", visibility=Club.Visibility.APPROVAL)
    ClubMembershipFactory(
        club=approval, member=author, status=ClubMembership.Status.PENDING, joined_at=None
    )
    banning = ClubFactory(brand=roadgrip, slug="roadgrip-banned")
    ClubMembershipFactory(club=banning, member=author, status=ClubMembership.Status.BANNED)

    # Questions and answers, endorsements, the feed, the knowledge base, the reviewers'
    # admin pages: the author asks, answers, comments, endorses and applies to renew.
    question = qa.question_ask(
        author=author, title="Pressure for wet roads?", body="Asking.", product=product
    )
    qa.comment_create(author=author, question=question, body="Also for loaded trips.")
    viewers_question = qa.question_ask(
        author=viewer, title="Which tyre for rain?", body="Commuting.", product=product
    )
    answer = qa.answer_create(author=author, question=viewers_question, body="The Wet Grip.")
    qa.comment_create(author=author, answer=answer, body="Checked in our lab.")
    qa.answer_accept(member=viewer, answer=answer)
    endorsements.endorsement_create(expert=author, review=viewers_review, note="Measured it.")
    follow_create(follower=viewer, followed=author)
    knowledge_page = knowledge.answer_promote(moderator=moderator, answer=answer)
    certificate = author.certificates.get()
    renewal = certification.application_submit(
        applicant=author,
        tier="brand_staff",
        employer=roadgrip,
        brands=[roadgrip],
        headline="Tyre engineer",
        credentials="Ten years at RoadGrip.",
        conflict_of_interest="I work for RoadGrip.",
        renewal_of=certificate,
        evidence_uploads=[pdf_upload()],
    )
    challenge = certification.challenge_submit(
        challenger=viewer,
        certificate=certificate,
        statement="She left RoadGrip.",
        evidence_uploads=[pdf_upload("letter.pdf")],
    )

    return SimpleNamespace(
        question=question,
        viewers_question=viewers_question,
        answer=answer,
        knowledge_page=knowledge_page,
        certificate=certificate,
        renewal=renewal,
        challenge=challenge,
        roadgrip=roadgrip,
        product=product,
        author=author,
        viewer=viewer,
        staff=staff,
        moderator=moderator,
        club=club,
        approval=approval,
        banning=banning,
        review=review,
        viewers_review=viewers_review,
        hidden=hidden,
        post=post,
        comment=comment,
        event=event,
        room=room,
        message=first,
    )


def club_url(name, club, *args):
    return reverse(f"brand_clubs:{name}", args=[club.slug, *args])


# (page, templates it covers, who looks, how to get its URL). Keep in step with every
# template that shows an author or actor.
PAGES = [
    ("review", "reviews/review_detail.html reviews/_review.html", "viewer",
     lambda w: w.review.get_absolute_url()),
    ("product", "brand_clubs/product_detail.html reviews/_review.html", "viewer",
     lambda w: w.product.get_absolute_url()),
    ("home", "home/home_page.html reviews/_review.html", "viewer", lambda w: "/"),
    ("club landing", "brand_clubs/club_detail.html brand_clubs/_post.html", "viewer",
     lambda w: w.club.get_absolute_url()),
    ("club feed", "brand_clubs/feed.html _post.html _comment.html _post_photos.html",
     "viewer", lambda w: club_url("club_feed", w.club)),
    ("post detail", "brand_clubs/post_detail.html (title) _post.html _comment.html",
     "viewer", lambda w: club_url("post", w.club, w.post.pk)),
    ("post delete", "brand_clubs/post_confirm_delete.html", "staff",
     lambda w: club_url("post_delete", w.club, w.post.pk)),
    ("post hide", "brand_clubs/post_confirm_moderate.html", "staff",
     lambda w: club_url("post_hide", w.club, w.post.pk)),
    ("comment hide", "brand_clubs/post_comment_confirm_hide.html", "staff",
     lambda w: club_url("comment_hide", w.club, w.comment.pk)),
    ("event reviews", "brand_clubs/event_reviews.html _event_review.html", "viewer",
     lambda w: club_url("event_reviews", w.club, w.event.pk)),
    ("event album", "brand_clubs/event_album.html", "viewer",
     lambda w: club_url("event_album", w.club, w.event.pk)),
    ("check-in list", "brand_clubs/event_checkin.html", "staff",
     lambda w: club_url("event_checkin", w.club, w.event.pk)),
    ("club members", "brand_clubs/club_members.html (members)", "viewer",
     lambda w: club_url("club_members", w.club)),
    ("banned members", "brand_clubs/club_members.html (banned)", "staff",
     lambda w: club_url("club_members", w.banning)),
    ("ban confirm", "brand_clubs/club_member_confirm.html", "staff",
     lambda w: club_url("club_member_action", w.club, w.author.pk, "ban")),
    ("join requests", "brand_clubs/club_requests.html", "staff",
     lambda w: club_url("club_requests", w.approval)),
    ("club log", "brand_clubs/club_audit.html (actor and target)", "staff",
     lambda w: club_url("club_audit", w.club)),
    ("invites", "brand_clubs/club_invites.html", "staff",
     lambda w: club_url("club_invites", w.club)),
    ("chat room", "chat/room.html chat/_message.html (author, reply quote)", "viewer",
     lambda w: reverse("chat:room", args=[w.room.pk])),
    ("chat message delete", "chat/message_delete.html", "staff",
     lambda w: reverse("chat:message_delete", args=[w.message.pk])),
    ("chat mute", "chat/mute.html", "staff",
     lambda w: reverse("chat:mute", args=[w.room.pk]) + f"?member={w.author.pk}"),
    ("notifications", "members/notifications.html", "viewer",
     lambda w: reverse("members:notifications")),
    ("moderation queue", "reviews/admin/queue.html _review_cells.html", "moderator",
     lambda w: reverse("review_moderation:queue")),
    ("moderation review", "reviews/admin/review.html (author)", "moderator",
     lambda w: reverse("review_moderation:review", args=[w.review.pk])),
    ("moderation reporter", "reviews/admin/review.html (reporter)", "moderator",
     lambda w: reverse("review_moderation:review", args=[w.viewers_review.pk])),
    ("hidden reviews", "reviews/admin/hidden.html _review_cells.html", "moderator",
     lambda w: reverse("review_moderation:hidden")),
    ("question list", "experts/questions/question_list.html _question_row.html", "viewer",
     lambda w: reverse("experts:question_list")),
    ("question", "experts/questions/question_detail.html _comments.html", "viewer",
     lambda w: w.question.get_absolute_url()),
    ("answers", "experts/questions/question_detail.html _answer.html _comments.html",
     "viewer", lambda w: w.viewers_question.get_absolute_url()),
    ("answer hide", "experts/questions/moderate_confirm.html", "moderator",
     lambda w: reverse("experts:answer_hide", args=[w.answer.pk])),
    ("promote", "experts/knowledge/promote_confirm.html", "moderator",
     lambda w: reverse("experts:answer_promote", args=[w.answer.pk])),
    ("knowledge page", "experts/knowledge_base_page.html", "viewer",
     lambda w: w.knowledge_page.url),
    ("directory", "experts/directory/directory.html _expert_card.html", "viewer",
     lambda w: reverse("experts:directory")),
    ("expert profile", "experts/directory/profile.html", "viewer",
     lambda w: reverse("experts:profile", args=[w.author.pk])),
    ("following feed", "experts/directory/feed.html _feed_item.html", "viewer",
     lambda w: reverse("experts:feed")),
    ("endorsed review", "reviews/_review.html (endorsement)", "viewer",
     lambda w: w.viewers_review.get_absolute_url()),
    ("credentials", "experts/certification/credentials.html", "viewer",
     lambda w: reverse("experts:credentials", args=[w.author.pk])),
    ("member profile", "members/profile.html", "viewer",
     lambda w: reverse("members:profile", args=[w.author.pk])),
    ("application queue", "experts/admin/application_queue.html", "moderator",
     lambda w: reverse("expert_review:applications")),
    ("application review", "experts/admin/application_review.html", "moderator",
     lambda w: reverse("expert_review:application", args=[w.renewal.pk])),
    ("certificates", "experts/admin/certificate_list.html", "moderator",
     lambda w: reverse("expert_review:certificates")),
    ("certificate", "experts/admin/certificate_review.html _log.html", "moderator",
     lambda w: reverse("expert_review:certificate", args=[w.certificate.pk])),
    ("challenges", "experts/admin/challenge_list.html", "moderator",
     lambda w: reverse("expert_review:challenges")),
    ("challenge", "experts/admin/challenge_review.html", "moderator",
     lambda w: reverse("expert_review:challenge", args=[w.challenge.pk])),
]  # fmt: skip


@pytest.mark.parametrize(("page", "templates", "who", "url"), PAGES, ids=[p[0] for p in PAGES])
def test_every_author_page_labels_the_brand_employee(client, world, page, templates, who, url):
    client.force_login(getattr(world, who))
    response = client.get(url(world))
    assert response.status_code == 200, page
    assert_labelled(response.content.decode(), page=page)


def test_search_results_never_show_the_name_without_the_label(client, world, settings):
    """Hits show no author today; if one ever does, it must carry the label."""
    from search.backends import DATABASE_BACKEND, reset_backends

    # The database index is written in the same transaction as the review.
    settings.SEARCH = {"BACKEND": DATABASE_BACKEND}
    reset_backends()
    client.force_login(world.viewer)
    html = client.get(reverse("search:search"), {"q": "grips rain"}).content.decode()
    assert "Grips in the rain" in html
    assert_labelled(html, at_least=0, page="search")
    reset_backends()


def test_chat_history_json_carries_the_label(client, world):
    client.force_login(world.viewer)
    data = client.get(
        reverse("chat:history", args=[world.room.pk]), HTTP_ACCEPT="application/json"
    ).json()
    authors = {m["author"]["name"]: m["author"]["expert_label"] for m in data["messages"]}
    assert authors == {NAME: LABEL, "Vera Viewer": ""}
    replies = [m["reply_to"] for m in data["messages"] if m["reply_to"]]
    assert replies and replies[0]["author_label"] == LABEL


def test_chat_online_list_carries_the_label(world):
    from community.chat.services.presence import connection_open, presence_enter, presence_online

    connection_open(member=world.author, channel_name="tab-1")
    presence_enter(room=world.room, member=world.author, channel_name="tab-1")
    assert presence_online(room_id=world.room.pk) == [
        {"id": world.author.pk, "name": NAME, "expert_label": LABEL}
    ]


def test_chat_room_list_labels_the_last_message_author(client, world):
    chat.message_send(author=world.author, room=world.room, body="One more thing.")
    client.force_login(world.viewer)
    html = client.get(reverse("chat:rooms")).content.decode()
    assert_labelled(html, page="chat rooms")


def test_label_goes_when_the_certificate_ends(client, world):
    """The label follows the certificate: after revocation (and the badge refresh the
    services do) the same pages show the plain name."""
    from experts.models import Certificate
    from experts.services.badges import expert_badge_refresh

    Certificate.objects.filter(member=world.author).update(status=Certificate.Status.REVOKED)
    expert_badge_refresh(member_id=world.author.pk)
    client.force_login(world.viewer)
    html = client.get(club_url("club_feed", world.club)).content.decode()
    assert NAME in html and LABEL not in html


# --- labels cost no query --------------------------------------------------------------


def _experts_in(club, count, roadgrip):
    """`count` club members whose byline badge says they work for RoadGrip (written
    straight to the row: the badge is all a byline reads)."""
    from community.members.models import Member

    people = [
        ClubMembershipFactory(club=club, member__trust_level=TrustLevel.MEMBER).member
        for _ in range(count)
    ]
    badge = {
        "tier": "brand_staff",
        "employers": [{"id": roadgrip.pk, "name": roadgrip.name, "slug": roadgrip.slug}],
        "expires_at": "2999-01-01T00:00:00+00:00",
    }
    Member.objects.filter(pk__in=[p.pk for p in people]).update(expert_badge=badge)
    return people


def test_labelled_feed_and_chat_pages_run_a_fixed_number_of_queries(
    client, world, settings, django_assert_max_num_queries
):
    settings.WRITE_RATE_LIMITS = {
        k: (10**6, p) for k, (_n, p) in settings.WRITE_RATE_LIMITS.items()
    }
    settings.CLUB_FEED_PAGE_SIZE = 60
    club = ClubFactory(brand=world.roadgrip)
    ClubMembershipFactory(club=club, member=world.viewer)
    room = chat.room_for_club(user=world.viewer, club=club)
    client.force_login(world.viewer)
    pages = {"feed": club_url("club_feed", club), "chat": reverse("chat:room", args=[room.pk])}
    counts = {}
    for total in (10, 50):
        have = club.posts.count()
        for author in _experts_in(club, total - have, world.roadgrip):
            feed_services.post_create(club=club, author=author, body="Tyres!")
            chat.message_send(author=author, room=room, body="Tyres!")
        for name, url in pages.items():
            client.get(url)  # warm caches (session, site)
            with django_assert_max_num_queries(40) as queries:
                html = client.get(url).content.decode()
            assert html.count(LABEL) >= min(total, 20), name  # the chat page shows 20+
            counts[name, total] = len(queries)
    assert counts["feed", 10] == counts["feed", 50]
    assert counts["chat", 10] == counts["chat", 50]


# --- the grep-style safety net ----------------------------------------------------------

TEMPLATES = Path(settings.BASE_DIR) / "templates"
BARE_NAME_RE = re.compile(r"\.public_name\b")
# Lines allowed to print a bare name, each with why. Keep this list short: everywhere
# else use {% member_name person %} or person|member_text.
ALLOWED = {
    # The byline tag itself.
    ("members/_member_name.html", "{{ person.public_name }}"),
    # The signed-in member's own name in the navigation: it is the viewer, not an author.
    ("base.html", "{{ user.public_name }}"),
}


def test_no_template_prints_a_bare_name():
    offenders = []
    for path in sorted(TEMPLATES.rglob("*.html")):
        relative = path.relative_to(TEMPLATES).as_posix()
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            if not BARE_NAME_RE.search(line):
                continue
            if any(relative == file and snippet in line for file, snippet in ALLOWED):
                continue
            offenders.append(f"templates/{relative}:{number}: {line.strip()[:120]}")
    assert not offenders, "Print author names with {% member_name %}:\n" + "\n".join(offenders)


def test_allowed_list_has_no_stale_entries():
    """An allowance whose line is gone must leave the list, so it stays short."""
    for file, snippet in ALLOWED:
        path = TEMPLATES / file
        assert path.exists() and snippet in path.read_text(encoding="utf-8"), (file, snippet)


def test_assert_labelled_catches_a_bare_name():
    """The checker itself: a page with one plain name fails."""
    labelled = f'<a href="/m/1/">{NAME}</a> <a class="expert-badge">{LABEL}</a>'
    assert assert_labelled(labelled) == 1
    with pytest.raises(AssertionError):
        assert_labelled(labelled + "<p>" + "x" * WINDOW + f"{NAME}</p>")

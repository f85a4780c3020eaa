"""The byline: `{% member_name %}`, the plain-text filters and the badge reader
(community/members/badges.py). Badges come from real certificates (CertificateFactory
refreshes Member.expert_badge as approval does) or are written straight to the row for
the malformed cases."""

from datetime import timedelta

import pytest
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from community.chat import services as chat
from community.chat.payloads import member_payload, message_payload
from community.members import badges
from community.members.models import Member
from experts.models import Certificate
from experts.services.badges import expert_badge_refresh
from tests.factories import (
    BrandFactory,
    CertificateFactory,
    ClubFactory,
    ClubMembershipFactory,
    MemberFactory,
)

pytestmark = pytest.mark.django_db

LABEL = "Brand employee · RoadGrip"


def render(source: str, **context) -> str:
    return Template("{% load member_names %}" + source).render(Context(context))


def reloaded(member) -> Member:
    return Member.objects.get(pk=member.pk)


@pytest.fixture
def roadgrip(db):
    return BrandFactory(name="RoadGrip", slug="roadgrip")


@pytest.fixture
def employee(roadgrip):
    member = MemberFactory(display_name="Rita Staff")
    CertificateFactory(member=member, tier="brand_staff", employer=roadgrip, brands=[roadgrip])
    return reloaded(member)


def badge_written(member, **badge) -> Member:
    Member.objects.filter(pk=member.pk).update(expert_badge=badge)
    return reloaded(member)


def future(days=30) -> str:
    return (timezone.now() + timedelta(days=days)).isoformat()


# --- the tag --------------------------------------------------------------------------


def test_member_without_badge_renders_just_the_linked_name(member):
    html = render("{% member_name person %}", person=member)
    assert f'href="{reverse("members:profile", args=[member.pk])}"' in html
    assert member.public_name in html
    assert "expert-badge" not in html and "/credentials/" not in html


def test_brand_staff_expert_is_labelled_with_the_employer_and_linked_to_credentials(employee):
    html = render("{% member_name person %}", person=employee)
    assert "Rita Staff" in html and LABEL in html
    assert html.index("Rita Staff") < html.index(LABEL)
    assert f'href="{reverse("experts:credentials", args=[employee.pk])}"' in html
    assert 'class="expert-badge tier-brand_staff"' in html
    # The employer label says it all: no vague "Brand employee" pill on top of it.
    assert html.count("Brand employee") == 1


def test_independent_expert_shows_the_tier(member):
    CertificateFactory(member=member, tier="independent")
    html = render("{% member_name person %}", person=reloaded(member))
    assert "Independent expert" in html and "Brand employee" not in html


def test_stronger_tier_and_several_employers_show_every_employer(member, roadgrip):
    tyreco = BrandFactory(name="TyreCo")
    CertificateFactory(member=member, tier="independent")
    CertificateFactory(member=member, tier="brand_staff", employer=roadgrip)
    CertificateFactory(member=member, tier="brand_staff", employer=tyreco)
    member = reloaded(member)
    html = render("{% member_name person %}", person=member)
    assert "Independent expert" in html
    assert LABEL in html and "Brand employee · TyreCo" in html
    assert badges.expert_label(member) == (
        "Independent expert · Brand employee · RoadGrip · Brand employee · TyreCo"
    )


def test_link_false_keeps_the_badge_but_not_the_profile_link(employee):
    html = render("{% member_name person link=False %}", person=employee)
    assert reverse("members:profile", args=[employee.pk]) not in html
    assert LABEL in html and "/credentials/" in html


def test_none_renders_former_member():
    assert "Former member" in render("{% member_name person %}", person=None)


def test_names_and_brand_names_are_escaped(roadgrip):
    evil = MemberFactory(display_name="<script>alert(1)</script>")
    bad_brand = BrandFactory(name='<img src=x onerror="1">')
    CertificateFactory(member=evil, tier="brand_staff", employer=bad_brand)
    evil = reloaded(evil)
    for source in (
        "{% member_name person %}",
        "{{ person|member_text }}",
        "{{ person|expert_label }}",
    ):
        html = render(source, person=evil)
        assert "<script>" not in html and "<img" not in html, source
    html = render("{% member_name person %}", person=evil)
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "Brand employee · &lt;img src=x onerror=&quot;1&quot;&gt;" in html


def test_rendering_a_byline_runs_no_query(employee, django_assert_num_queries):
    with django_assert_num_queries(0):
        render("{% member_name person %}{{ person|member_text }}", person=employee)


# --- lapsed, ended and malformed badges --------------------------------------------------


def test_badge_past_its_expiry_shows_nothing_before_the_daily_run(employee):
    lapsed = badge_written(
        employee,
        tier="brand_staff",
        employers=[{"id": 1, "name": "RoadGrip", "slug": "roadgrip"}],
        expires_at=(timezone.now() - timedelta(minutes=1)).isoformat(),
    )
    html = render("{% member_name person %}", person=lapsed)
    assert "expert-badge" not in html and "Brand employee" not in html
    assert badges.expert_label(lapsed) == ""
    assert render("{{ person|member_text }}", person=lapsed) == "Rita Staff"


@pytest.mark.parametrize("status", [Certificate.Status.SUSPENDED, Certificate.Status.REVOKED])
def test_suspended_or_revoked_certificate_clears_the_label_after_refresh(employee, status):
    Certificate.objects.filter(member=employee).update(status=status)
    expert_badge_refresh(member_id=employee.pk)
    assert badges.expert_label(reloaded(employee)) == ""


@pytest.mark.parametrize(
    "badge",
    [
        {},
        {"tier": "wizard", "expires_at": "2999-01-01T00:00:00+00:00"},
        {"tier": "independent"},  # no expiry: not trusted
        {"tier": "independent", "expires_at": "not a date"},
        {"tier": "independent", "expires_at": None},
    ],
)
def test_malformed_badges_show_nothing(member, badge):
    member = badge_written(member, **badge)
    assert "expert-badge" not in render("{% member_name person %}", person=member)
    assert badges.expert_label(member) == ""


def test_brand_staff_without_employer_names_still_says_brand_employee(member):
    member = badge_written(member, tier="brand_staff", employers=[], expires_at=future())
    html = render("{% member_name person %}", person=member)
    assert "Brand employee" in html
    assert badges.expert_label(member) == "Brand employee"


def test_naive_expiry_is_read_as_utc(member):
    naive = (timezone.now() + timedelta(days=1)).replace(tzinfo=None).isoformat()
    member = badge_written(member, tier="practitioner", expires_at=naive)
    assert badges.expert_label(member) == "Industry practitioner"


# --- plain-text filters ----------------------------------------------------------------


def test_member_text_and_expert_label_filters(employee, member):
    assert render("{{ person|member_text }}", person=employee) == f"Rita Staff ({LABEL})"
    assert render("{{ person|expert_label }}", person=employee) == LABEL
    assert render("{{ person|member_text }}", person=member) == member.public_name
    assert render("{{ person|expert_label }}", person=member) == ""
    assert render("{{ person|member_text }}", person=None) == ""


def test_badge_label_filter_reads_a_badge_dict(employee):
    assert render("{{ badge|badge_label }}", badge=employee.expert_badge) == LABEL
    assert render("{{ badge|badge_label }}", badge=None) == ""
    assert render("{{ badge|badge_label }}", badge="not a dict") == ""


# --- chat payloads ---------------------------------------------------------------------


def test_chat_member_payload_carries_the_label(employee, member):
    assert member_payload(employee)["expert_label"] == LABEL
    assert member_payload(member)["expert_label"] == ""
    assert member_payload(None) is None


def test_chat_message_payload_labels_author_and_replied_author(employee, member):
    club = ClubFactory()
    for person in (employee, member):
        ClubMembershipFactory(club=club, member=person)
    room = chat.room_for_club(user=member, club=club)
    first = chat.message_send(author=employee, room=room, body="Tyre pressure matters.")
    reply = chat.message_send(author=member, room=room, body="Thanks!", reply_to_id=first.pk)
    assert message_payload(first)["author"]["expert_label"] == LABEL
    payload = message_payload(reply)
    assert payload["author"]["expert_label"] == ""
    assert payload["reply_to"]["author_label"] == LABEL

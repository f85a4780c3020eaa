"""The public profile shows the trust level and the total; site moderators make a member
a leader (level 4) or withdraw it from there, through a confirmation page and a POST;
everyone else is refused and nothing changes."""

import pytest
from django.test import Client
from django.urls import reverse

from community.reputation.models import ReputationEntry
from community.reputation.rules import Reason, TrustLevel
from community.reputation.services import reputation_record
from tests.factories import MemberFactory, ModeratorFactory

pytestmark = pytest.mark.django_db


def leader_url(member, action):
    return reverse("reputation:leader_change", args=[member.pk, action])


def profile_url(member):
    return reverse("members:profile", args=[member.pk])


def level_of(member) -> int:
    member.refresh_from_db()
    return member.trust_level


def test_profile_shows_level_and_total_to_everyone(client):
    member = MemberFactory(trust_level=TrustLevel.MEMBER)
    reputation_record(member=member, reason=Reason.EVENT_ATTENDED)
    html = client.get(profile_url(member)).content.decode()
    assert "Trust level 2 (Member)" in html
    assert "6 reputation points" in html
    assert reverse("reputation:levels") + "#level-2" in html
    # Nobody but a moderator sees the leader buttons.
    assert leader_url(member, "grant") not in html
    client.force_login(MemberFactory())
    assert leader_url(member, "grant") not in client.get(profile_url(member)).content.decode()


def test_level_and_total_cost_no_query(client, django_assert_max_num_queries):
    """The profile runs the same queries for a new member and for a leader with points."""
    plain, leader = MemberFactory(), MemberFactory(trust_level=TrustLevel.LEADER)
    reputation_record(member=leader, reason=Reason.EVENT_ATTENDED)
    client.get(profile_url(plain))
    counts = []
    for member in (plain, leader):
        with django_assert_max_num_queries(3) as captured:
            assert client.get(profile_url(member)).status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts
    assert "Trust level 4 (Leader)" in client.get(profile_url(leader)).content.decode()


def test_moderators_see_make_leader_or_withdraw_leader(client):
    member, leader = MemberFactory(), MemberFactory(trust_level=TrustLevel.LEADER)
    client.force_login(ModeratorFactory())
    html = client.get(profile_url(member)).content.decode()
    assert leader_url(member, "grant") in html and "Make leader" in html
    html = client.get(profile_url(leader)).content.decode()
    assert leader_url(leader, "withdraw") in html and "Withdraw leader" in html


def test_a_moderator_confirms_then_grants_leader(client):
    member, moderator = MemberFactory(display_name="Lena"), ModeratorFactory()
    client.force_login(moderator)
    response = client.get(leader_url(member, "grant"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Make Lena a leader?" in html
    assert 'method="post"' in html and "csrfmiddlewaretoken" in html
    assert level_of(member) == TrustLevel.NEW  # the confirmation page changes nothing
    response = client.post(leader_url(member, "grant"), follow=True)
    assert response.redirect_chain[-1][0] == profile_url(member)
    assert "Lena is now a leader." in response.content.decode()
    assert level_of(member) == TrustLevel.LEADER
    row = ReputationEntry.objects.get(member=member, reason=Reason.LEVEL_GRANTED)
    assert (row.trust_level, row.actor_id, row.delta) == (TrustLevel.LEADER, moderator.pk, 0)


def test_a_moderator_withdraws_leader(client):
    member = MemberFactory(display_name="Lena", trust_level=TrustLevel.LEADER)
    client.force_login(ModeratorFactory())
    assert "Withdraw the leader level of Lena?" in (
        client.get(leader_url(member, "withdraw")).content.decode()
    )
    response = client.post(leader_url(member, "withdraw"), follow=True)
    assert "Lena is no longer a leader (now level 2, Member)." in response.content.decode()
    assert level_of(member) == TrustLevel.MEMBER


@pytest.mark.parametrize(
    "level, action, message",
    [
        (TrustLevel.LEADER, "grant", "This member is already a leader."),
        (TrustLevel.REGULAR, "withdraw", "This member is not a leader."),
    ],
)
def test_a_refused_change_is_a_message_not_an_error(client, level, action, message):
    member = MemberFactory(trust_level=level)
    client.force_login(ModeratorFactory())
    response = client.post(leader_url(member, action), follow=True)
    assert response.status_code == 200
    assert response.redirect_chain[-1][0] == profile_url(member)
    assert message in response.content.decode()
    assert level_of(member) == level
    assert not ReputationEntry.objects.filter(member=member).exists()


@pytest.mark.parametrize("action", ["grant", "withdraw"])
def test_members_who_are_not_moderators_are_refused(client, action):
    member = MemberFactory(trust_level=TrustLevel.LEADER if action == "withdraw" else 0)
    before = level_of(member)
    # Anonymous: to the login page.
    response = client.post(leader_url(member, action))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    # Signed in without the moderator permission (even staff, even the member): 403.
    for viewer in (MemberFactory(), MemberFactory(is_staff=True), member):
        client.force_login(viewer)
        assert client.get(leader_url(member, action)).status_code == 403
        response = client.post(leader_url(member, action))
        assert response.status_code == 403
        assert "Only moderators can change trust levels." in response.content.decode()
    assert level_of(member) == before
    assert not ReputationEntry.objects.filter(member=member).exists()


def test_the_post_needs_a_csrf_token():
    member = MemberFactory()
    client = Client(enforce_csrf_checks=True)
    client.force_login(ModeratorFactory())
    assert client.post(leader_url(member, "grant")).status_code == 403
    assert level_of(member) == TrustLevel.NEW


def test_unknown_actions_and_closed_accounts_are_404(client):
    member, closed = MemberFactory(), MemberFactory(is_active=False)
    client.force_login(ModeratorFactory())
    assert client.get(leader_url(member, "promote")).status_code == 404
    assert client.post(leader_url(member, "promote")).status_code == 404
    assert client.get(leader_url(closed, "grant")).status_code == 404
    assert client.post(leader_url(closed, "grant")).status_code == 404
    assert level_of(closed) == TrustLevel.NEW

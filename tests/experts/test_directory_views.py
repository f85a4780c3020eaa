"""The expert directory and the expert profile page: filters, sorting, what shows,
and a query count that does not grow with the number of experts."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from experts.models import Certificate, ExpertProfile
from experts.selectors.directory import (
    DirectoryFilters,
    expert_directory,
    expert_profile_get,
    response_time_text,
)
from tests.experts.factories_directory import EndorsementFactory, FollowFactory
from tests.factories import (
    AnswerFactory,
    BrandFactory,
    CategoryFactory,
    CertificateFactory,
    MemberFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def tyres():
    return CategoryFactory(name="Tyres", slug="tyres")


@pytest.fixture
def coffee():
    return CategoryFactory(name="Coffee", slug="coffee")


@pytest.fixture
def roadgrip():
    return BrandFactory(name="RoadGrip", slug="roadgrip")


def _pks(page):
    return [expert.pk for expert in page.object_list]


# --- selector -------------------------------------------------------------------------


def test_directory_lists_only_current_experts(tyres):
    current = CertificateFactory(categories=[tyres]).member
    expired = CertificateFactory(categories=[tyres])
    Certificate.objects.filter(pk=expired.pk).update(expires_at=timezone.now() - timedelta(1))
    CertificateFactory(status="revoked")
    CertificateFactory(status="suspended")
    closed = CertificateFactory().member
    closed.is_active = False
    closed.save()
    MemberFactory()
    assert _pks(expert_directory(filters=DirectoryFilters())) == [current.pk]


def test_directory_filters_by_field_tier_and_brand(tyres, coffee, roadgrip):
    tyre_independent = CertificateFactory(categories=[tyres]).member
    coffee_practitioner = CertificateFactory(categories=[coffee], tier="practitioner").member
    roadgrip_employee = CertificateFactory(tier="brand_staff", employer=roadgrip).member
    roadgrip_field = CertificateFactory(brands=[roadgrip], tier="practitioner").member

    def listed(**filters):
        return set(_pks(expert_directory(filters=DirectoryFilters(**filters))))

    assert listed(field="tyres") == {tyre_independent.pk}
    assert listed(tier="practitioner") == {coffee_practitioner.pk, roadgrip_field.pk}
    assert listed(brand="roadgrip") == {roadgrip_employee.pk, roadgrip_field.pk}
    assert listed(brand="roadgrip", tier="brand_staff") == {roadgrip_employee.pk}
    assert listed(field="coffee", tier="independent") == set()


def test_filters_apply_to_one_certificate(tyres, coffee):
    """Independent in coffee and practitioner in tyres is not an independent tyre expert."""
    member = CertificateFactory(categories=[coffee]).member
    CertificateFactory(member=member, categories=[tyres], tier="practitioner")
    filters = DirectoryFilters(field="tyres", tier="independent")
    assert _pks(expert_directory(filters=filters)) == []
    filters = DirectoryFilters(field="tyres", tier="practitioner")
    assert _pks(expert_directory(filters=filters)) == [member.pk]


def test_directory_rows_carry_counts_fields_and_the_viewer_follow(tyres, roadgrip):
    expert = CertificateFactory(categories=[tyres], brands=[roadgrip], headline="Fitter").member
    viewer = MemberFactory()
    FollowFactory(follower=viewer, followed=expert)
    FollowFactory(followed=expert)
    AnswerFactory(author=expert)
    AnswerFactory(author=expert, is_hidden=True)
    ExpertProfile.objects.filter(member=expert).update(median_response_seconds=5 * 3600)
    row = expert_directory(filters=DirectoryFilters(), viewer=viewer).object_list[0]
    assert row.follower_count == 2
    assert row.visible_answer_count == 1
    assert row.viewer_follows is True
    assert [c.slug for c in row.expert_categories] == ["tyres"]
    assert [b.slug for b in row.expert_brands] == ["roadgrip"]
    assert row.headline == "Fitter"
    assert row.response_time == "about 5 hours"
    anonymous = expert_directory(filters=DirectoryFilters()).object_list[0]
    assert anonymous.viewer_follows is False


def test_directory_sorts(tyres):
    quiet = CertificateFactory().member
    busy = CertificateFactory().member
    popular = CertificateFactory().member
    AnswerFactory(author=busy)
    FollowFactory(followed=popular)
    Certificate.objects.filter(member=quiet).update(first_issued_at=timezone.now() + timedelta(1))
    assert _pks(expert_directory(filters=DirectoryFilters(sort="answers")))[0] == busy.pk
    assert _pks(expert_directory(filters=DirectoryFilters(sort="followers")))[0] == popular.pk
    assert _pks(expert_directory(filters=DirectoryFilters(sort="newest")))[0] == quiet.pk
    assert len(_pks(expert_directory(filters=DirectoryFilters(sort="bogus")))) == 3


@pytest.mark.parametrize(
    ("seconds", "text"),
    [
        (None, ""),
        (59 * 60, "under an hour"),
        (3600, "about 1 hour"),
        (47 * 3600, "about 47 hours"),
        (3 * 86400, "about 3 days"),
    ],
)
def test_response_time_words(seconds, text):
    assert response_time_text(seconds) == text


# --- directory page -------------------------------------------------------------------


def test_directory_page_shows_cards_with_badged_names(client, tyres, roadgrip):
    CertificateFactory(categories=[tyres], headline="Tyre fitter, 20 years")
    CertificateFactory(tier="brand_staff", employer=roadgrip)
    html = client.get(reverse("experts:directory")).content.decode()
    assert html.count('class="card expert-card"') == 2
    assert "Tyre fitter, 20 years" in html
    assert "Independent expert" in html
    assert "Brand employee · RoadGrip" in html
    assert "not enough data yet" in html


def test_directory_page_filter_and_empty_state(client, tyres, coffee):
    CertificateFactory(categories=[tyres])
    CertificateFactory(categories=[coffee])  # so that "coffee" is a choice
    html = client.get(reverse("experts:directory") + "?field=tyres").content.decode()
    assert html.count('class="card expert-card"') == 1
    html = client.get(
        reverse("experts:directory") + "?field=coffee&tier=brand_staff"
    ).content.decode()
    assert "No expert matches these filters yet." in html
    # An unknown value in a hand-edited URL shows everyone rather than an error.
    response = client.get(reverse("experts:directory") + "?field=<script>&sort=;drop")
    assert response.status_code == 200
    assert response.content.decode().count('class="card expert-card"') == 2


def test_directory_page_follow_buttons(client):
    followed = CertificateFactory().member
    other = CertificateFactory().member
    viewer = MemberFactory()
    FollowFactory(follower=viewer, followed=followed)
    client.force_login(viewer)
    html = client.get(reverse("experts:directory")).content.decode()
    assert reverse("experts:unfollow", args=[followed.pk]) in html
    assert reverse("experts:follow", args=[other.pk]) in html
    client.force_login(followed)
    html = client.get(reverse("experts:directory")).content.decode()
    assert reverse("experts:follow", args=[followed.pk]) not in html


def test_directory_page_is_empty_without_experts(client):
    html = client.get(reverse("experts:directory")).content.decode()
    assert "No certified experts yet." in html


def _fill_directory(count, categories, brand):
    for index in range(count):
        tier = ["independent", "practitioner", "brand_staff"][index % 3]
        certificate = CertificateFactory(
            tier=tier,
            employer=brand if tier == "brand_staff" else None,
            categories=categories,
            brands=[brand],
        )
        FollowFactory(followed=certificate.member)
        AnswerFactory(author=certificate.member)


@pytest.mark.parametrize("signed_in", [False, True])
def test_directory_query_count_is_fixed(client, django_assert_max_num_queries, signed_in):
    categories = [CategoryFactory(), CategoryFactory()]
    brand = BrandFactory()
    if signed_in:
        client.force_login(MemberFactory())
    counts = []
    for added in (10, 40):  # 10 experts, then 50 (pages of 20)
        _fill_directory(added, categories, brand)
        # session, member, chat and notification badges (4); filter lists (2); count,
        # page, certificates, their categories, their brands (5)
        with django_assert_max_num_queries(11) as captured:
            response = client.get(reverse("experts:directory") + "?page=1")
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert response.content.decode().count('class="card expert-card"') == 20
    assert counts[0] == counts[1], counts


def test_directory_query_count_is_fixed_when_filtered(client, django_assert_max_num_queries):
    categories = [CategoryFactory(slug="tyres")]
    brand = BrandFactory()
    counts = []
    for added in (10, 40):
        _fill_directory(added, categories, brand)
        with django_assert_max_num_queries(11) as captured:
            response = client.get(reverse("experts:directory") + "?field=tyres&sort=newest")
        assert response.status_code == 200
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts


# --- profile page ---------------------------------------------------------------------


def test_profile_shows_credentials_answers_and_endorsed_reviews(client, tyres):
    certificate = CertificateFactory(
        categories=[tyres], headline="Tyre fitter", checks=["identity", "licence"]
    )
    expert = certificate.member
    ExpertProfile.objects.filter(member=expert).update(
        about="x", about_html="<p>Twenty years of wheels.</p>"
    )
    AnswerFactory(author=expert, question__title="Which pressure for gravel?")
    AnswerFactory(author=expert, question__title="A hidden one", is_hidden=True)
    EndorsementFactory(certificate=certificate, review=ReviewFactory(title="Grips in rain"))
    hidden_review = ReviewFactory(title="Hidden review", status="hidden")
    EndorsementFactory(certificate=certificate, review=hidden_review)
    FollowFactory(followed=expert)
    html = client.get(reverse("experts:profile", args=[expert.pk])).content.decode()
    assert "Twenty years of wheels." in html
    assert "Tyre fitter" in html and "Tyres" in html
    assert "Licence in a public register" in html
    assert reverse("experts:credentials", args=[expert.pk]) in html
    assert "Which pressure for gravel?" in html and "A hidden one" not in html
    assert "Grips in rain" in html and "Hidden review" not in html
    assert "1 follower" in html and "1 answer" in html and "1 review checked" in html


def test_profile_actions_follow_the_expert_settings(client):
    expert = CertificateFactory().member
    viewer = MemberFactory()
    ask = reverse("experts:question_ask") + f"?expert={expert.pk}"
    message = reverse("experts:conversation", args=[expert.pk])
    client.force_login(viewer)
    html = client.get(reverse("experts:profile", args=[expert.pk])).content.decode()
    assert ask in html and message not in html
    assert reverse("experts:follow", args=[expert.pk]) in html
    ExpertProfile.objects.filter(member=expert).update(
        accepts_questions=False, accepts_conversations=True
    )
    html = client.get(reverse("experts:profile", args=[expert.pk])).content.decode()
    assert ask not in html and message in html
    client.force_login(expert)
    html = client.get(reverse("experts:profile", args=[expert.pk])).content.decode()
    assert message not in html and reverse("experts:profile_settings") in html


def test_profile_of_a_lapsed_expert_says_so_and_offers_nothing(client):
    certificate = CertificateFactory()
    ExpertProfile.objects.filter(member=certificate.member).update(accepts_conversations=True)
    Certificate.objects.filter(pk=certificate.pk).update(status="revoked")
    html = client.get(reverse("experts:profile", args=[certificate.member_id])).content.decode()
    assert "not a certified expert at the moment" in html
    assert reverse("experts:conversation", args=[certificate.member_id]) not in html
    assert reverse("experts:question_ask") not in html


def test_profile_of_a_non_expert_or_closed_account_is_404(client):
    assert client.get(reverse("experts:profile", args=[MemberFactory().pk])).status_code == 404
    closed = CertificateFactory().member
    closed.is_active = False
    closed.save()
    assert client.get(reverse("experts:profile", args=[closed.pk])).status_code == 404
    assert client.get(reverse("experts:profile", args=[999999])).status_code == 404


def test_profile_query_count_does_not_grow(django_assert_max_num_queries):
    certificate = CertificateFactory()
    expert = certificate.member
    viewer = MemberFactory()
    counts = []
    for added in (3, 30):
        for _ in range(added):
            AnswerFactory(author=expert)
            EndorsementFactory(certificate=certificate)
            FollowFactory(followed=expert)
        with django_assert_max_num_queries(10) as captured:
            view = expert_profile_get(member_pk=expert.pk, viewer=viewer)
            for endorsement in view.endorsements:
                _ = (endorsement.review.author.public_name, endorsement.review.product.brand)
            for answer in view.answers:
                _ = answer.question.title
            for cert in view.certificates:
                _ = (list(cert.categories.all()), list(cert.brands.all()), cert.employer)
        counts.append(len(captured.captured_queries))
    assert counts[0] == counts[1], counts

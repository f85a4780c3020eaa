"""Endorsements of reviews: who may endorse what, the brand-employee label that can
never be left off, the pages, and how reviews show them."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from community.errors import AccessDenied, Conflict, DomainError, NotFound, RateLimited
from community.members.models import Notification
from community.reviews import selectors as review_selectors
from community.reviews.models import Review
from experts.models import Certificate, Endorsement, ExpertProfile
from experts.services.endorsements import endorsement_create, endorsement_delete
from tests.experts.factories_directory import EndorsementFactory, FollowFactory
from tests.factories import (
    BrandFactory,
    BrandStaffFactory,
    CertificateFactory,
    MemberFactory,
    ModeratorFactory,
    ProductFactory,
    ReviewFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def brand():
    return BrandFactory(name="RoadGrip")


@pytest.fixture
def review(brand):
    return ReviewFactory(product=ProductFactory(brand=brand, name="Trail 2"))


@pytest.fixture
def expert(review):
    """An independent expert in the review's product category."""
    return CertificateFactory(categories=[review.product.category]).member


def _profile(member):
    return ExpertProfile.objects.get(member=member)


# --- endorsement_create ---------------------------------------------------------------


def test_expert_in_the_field_endorses(expert, review):
    endorsement = endorsement_create(expert=expert, review=review, note="Checked the *PSI*.")
    assert endorsement.certificate.member == expert
    assert endorsement.brand_affiliation is None
    assert "<em>PSI</em>" in endorsement.note_html
    assert _profile(expert).endorsement_count == 1
    notification = Notification.objects.get(recipient=review.author)
    assert notification.kind == "review_endorsed"
    assert notification.params == {"actor": expert.public_name, "product": "Trail 2"}
    assert notification.url == review.get_absolute_url()


def test_an_expert_in_the_brand_endorses_too(review):
    expert = CertificateFactory(brands=[review.product.brand]).member
    assert endorsement_create(expert=expert, review=review, note="ok").pk


def test_an_expert_cannot_endorse_their_own_review(expert, review):
    own = ReviewFactory(author=expert, product=review.product)
    with pytest.raises(AccessDenied) as caught:
        endorsement_create(expert=expert, review=own, note="Mine is great.")
    assert caught.value.code == "own_review"
    assert not Endorsement.objects.exists()


def test_outside_their_fields_experts_cannot_endorse(review):
    elsewhere = CertificateFactory(categories=[ProductFactory().category]).member
    with pytest.raises(AccessDenied) as caught:
        endorsement_create(expert=elsewhere, review=review, note="Looks right.")
    assert "fields of expertise" in str(caught.value.message)


def test_members_and_lapsed_experts_cannot_endorse(review):
    with pytest.raises(AccessDenied):
        endorsement_create(expert=MemberFactory(), review=review, note="Trust me.")
    lapsed = CertificateFactory(categories=[review.product.category])
    Certificate.objects.filter(pk=lapsed.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    with pytest.raises(AccessDenied):
        endorsement_create(expert=lapsed.member, review=review, note="Trust me.")
    suspended = CertificateFactory(categories=[review.product.category], status="suspended")
    with pytest.raises(AccessDenied):
        endorsement_create(expert=suspended.member, review=review, note="Trust me.")


@pytest.mark.parametrize("status", [Review.Status.HIDDEN, Review.Status.DELETED])
def test_only_published_reviews_are_endorsed(expert, review, status):
    Review.objects.filter(pk=review.pk).update(status=status)
    review.refresh_from_db()
    with pytest.raises(NotFound):
        endorsement_create(expert=expert, review=review, note="Checked.")


def test_one_endorsement_per_expert_and_review(expert, review):
    endorsement_create(expert=expert, review=review, note="Checked.")
    with pytest.raises(Conflict):
        endorsement_create(expert=expert, review=review, note="Checked again.")
    assert _profile(expert).endorsement_count == 1


@pytest.mark.parametrize("note", ["", "   ", "x" * 1001])
def test_the_note_is_required_and_bounded(expert, review, note):
    with pytest.raises(DomainError) as caught:
        endorsement_create(expert=expert, review=review, note=note)
    assert caught.value.field == "note"


def test_endorsements_are_rate_limited(settings, expert, review):
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "endorsement": (1, 3600)}
    endorsement_create(expert=expert, review=review, note="One.")
    second = ReviewFactory(product=review.product)
    with pytest.raises(RateLimited):
        endorsement_create(expert=expert, review=second, note="Two.")


# --- the brand-employee rule ----------------------------------------------------------


def test_brand_staff_link_labels_the_endorsement(review, brand):
    """An independent expert in the field who is also on the brand's staff: allowed,
    and labelled."""
    expert = CertificateFactory(categories=[review.product.category]).member
    BrandStaffFactory(brand=brand, member=expert)
    endorsement = endorsement_create(expert=expert, review=review, note="Checked.")
    assert endorsement.brand_affiliation == brand


def test_brand_staff_certificate_labels_the_endorsement(review, brand):
    """A certified brand employee endorsing a product of their employer."""
    expert = CertificateFactory(tier="brand_staff", employer=brand).member
    endorsement = endorsement_create(expert=expert, review=review, note="Checked.")
    assert endorsement.brand_affiliation == brand


def test_an_employee_of_another_brand_is_not_labelled_with_this_one(review):
    other = BrandFactory(name="Elsewhere")
    expert = CertificateFactory(
        tier="brand_staff", employer=other, categories=[review.product.category]
    ).member
    endorsement = endorsement_create(expert=expert, review=review, note="Checked.")
    assert endorsement.brand_affiliation is None


def test_the_label_is_rendered_wherever_the_endorsement_shows(client, review, brand):
    """The brand-staff link alone (no brand-staff certificate, so no employer in the
    byline badge) must still show "Brand employee · RoadGrip" with the endorsement."""
    expert = CertificateFactory(categories=[review.product.category]).member
    BrandStaffFactory(brand=brand, member=expert)
    endorsement_create(expert=expert, review=review, note="Checked the tread.")
    label = "Brand employee · RoadGrip"
    pages = [
        reverse("reviews:detail", args=[review.pk]),
        review.product.get_absolute_url(),
        reverse("members:profile", args=[review.author_id]),
        reverse("experts:profile", args=[expert.pk]),
    ]
    for url in pages:
        html = client.get(url).content.decode()
        assert "Expert-checked" in html, url
        assert label in html, url
    follower = MemberFactory()
    FollowFactory(follower=follower, followed=expert)
    client.force_login(follower)
    html = client.get(reverse("experts:feed")).content.decode()
    assert "Expert-checked" in html and label in html


# --- endorsement_delete ---------------------------------------------------------------


def test_the_expert_withdraws_their_endorsement(expert, review):
    endorsement = endorsement_create(expert=expert, review=review, note="Checked.")
    endorsement_delete(actor=expert, endorsement=endorsement)
    assert not Endorsement.objects.exists()
    assert _profile(expert).endorsement_count == 0


def test_a_moderator_removes_an_endorsement(expert, review):
    endorsement = endorsement_create(expert=expert, review=review, note="Checked.")
    endorsement_delete(actor=ModeratorFactory(), endorsement=endorsement)
    assert not Endorsement.objects.exists()


def test_others_cannot_remove_an_endorsement(expert, review):
    endorsement = endorsement_create(expert=expert, review=review, note="Checked.")
    for actor in (review.author, MemberFactory()):
        with pytest.raises(AccessDenied):
            endorsement_delete(actor=actor, endorsement=endorsement)
    assert Endorsement.objects.count() == 1


# --- display on reviews ---------------------------------------------------------------


def test_revoked_certificates_and_closed_accounts_hide_endorsements(review):
    shown = EndorsementFactory(review=review, certificate__categories=[review.product.category])
    revoked = EndorsementFactory(review=review, certificate__status="revoked")
    closed = EndorsementFactory(review=review)
    closed.expert.is_active = False
    closed.expert.save()
    expired = EndorsementFactory(review=review)
    Certificate.objects.filter(pk=expired.certificate_id).update(status="expired")
    loaded = review_selectors.review_get(pk=review.pk)
    assert {e.pk for e in loaded.endorsements.all()} == {shown.pk, expired.pk}
    assert revoked.pk and closed.pk


def test_review_lists_load_endorsements_in_one_query(review, django_assert_max_num_queries):
    product = review.product
    for _ in range(10):
        EndorsementFactory(review=ReviewFactory(product=product))
    EndorsementFactory(review=review)
    # reviews + photos + endorsements (with expert and brand joined), whatever the count
    with django_assert_max_num_queries(3):
        for listed in review_selectors.review_list_for_product(product=product):
            for endorsement in listed.endorsements.all():
                _ = (endorsement.expert.public_name, endorsement.brand_affiliation)


def test_review_author_name_renders_the_expert_badge(client, brand):
    author = CertificateFactory(tier="brand_staff", employer=brand).member
    review = ReviewFactory(author=author)
    html = client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert "Brand employee · RoadGrip" in html
    assert reverse("experts:credentials", args=[author.pk]) in html


# --- pages ----------------------------------------------------------------------------


def test_detail_page_offers_the_endorse_link_to_experts_only(client, expert, review):
    url = reverse("experts:endorse", args=[review.pk])
    detail = reverse("reviews:detail", args=[review.pk])
    client.force_login(MemberFactory())
    assert url not in client.get(detail).content.decode()
    client.force_login(expert)
    assert url in client.get(detail).content.decode()
    client.force_login(review.author)
    assert url not in client.get(detail).content.decode()


def test_endorse_page_and_post(client, expert, review):
    client.force_login(expert)
    url = reverse("experts:endorse", args=[review.pk])
    page = client.get(url)
    assert page.status_code == 200
    assert "Brand employee" not in page.content.decode()
    response = client.post(url, {"note": "Measured it myself."})
    assert response.status_code == 302 and response.url == review.get_absolute_url()
    assert Endorsement.objects.get().note == "Measured it myself."
    again = client.get(url)
    assert again.status_code == 409


def test_endorse_page_warns_an_employee_about_the_label(client, review, brand):
    expert = CertificateFactory(tier="brand_staff", employer=brand).member
    client.force_login(expert)
    html = client.get(reverse("experts:endorse", args=[review.pk])).content.decode()
    assert "Brand employee · RoadGrip" in html


def test_endorse_page_refusals(client, expert, review):
    url = reverse("experts:endorse", args=[review.pk])
    assert reverse("account_login") in client.get(url).url
    client.force_login(MemberFactory())
    assert client.get(url).status_code == 403
    assert client.post(url, {"note": "x"}, HTTP_ACCEPT="application/json").status_code == 403
    client.force_login(review.author)
    assert client.post(url, {"note": "Mine."}).status_code == 403
    client.force_login(expert)
    Review.objects.filter(pk=review.pk).update(status=Review.Status.HIDDEN)
    assert client.get(url).status_code == 404
    assert client.get(reverse("experts:endorse", args=[999999])).status_code == 404
    assert not Endorsement.objects.exists()


def test_endorse_form_errors_keep_the_page(client, expert, review):
    client.force_login(expert)
    response = client.post(reverse("experts:endorse", args=[review.pk]), {"note": ""})
    assert response.status_code == 400
    assert not Endorsement.objects.exists()


def test_endorse_json(client, review, brand):
    expert = CertificateFactory(tier="brand_staff", employer=brand).member
    client.force_login(expert)
    response = client.post(
        reverse("experts:endorse", args=[review.pk]),
        {"note": "Checked."},
        HTTP_ACCEPT="application/json",
    )
    assert response.status_code == 201
    assert response.json()["brand_affiliation"] == "RoadGrip"


def test_remove_page_confirms_then_removes(client, expert, review):
    endorsement = endorsement_create(expert=expert, review=review, note="Checked.")
    url = reverse("experts:endorsement_delete", args=[endorsement.pk])
    client.force_login(MemberFactory())
    assert client.get(url).status_code == 403
    assert client.post(url).status_code == 403
    client.force_login(expert)
    assert url in client.get(reverse("reviews:detail", args=[review.pk])).content.decode()
    assert "Remove this endorsement?" in client.get(url).content.decode()
    assert Endorsement.objects.exists()
    response = client.post(url)
    assert response.status_code == 302 and response.url == review.get_absolute_url()
    assert not Endorsement.objects.exists()
    assert client.get(url).status_code == 404

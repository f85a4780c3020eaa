"""Trust-level gates on reviews (ADR 0008): links and more than one photo from level 1,
weighted flags from level 2, and the purchase-code fast track to level 1."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.urls import reverse

from community.errors import DomainError
from community.reputation import rules
from community.reputation.gates import html_has_link
from community.reputation.models import ReputationEntry
from community.reputation.rules import Reason, TrustLevel
from community.reviews import services
from community.reviews.models import BrandReply, PurchaseCode, Review, ReviewFlag, ReviewPhoto
from community.text import render_markdown
from tests.factories import MemberFactory, ModeratorFactory, image_upload
from tests.reviews.writing import create, update

pytestmark = pytest.mark.django_db

LINKED = "Bought it at [the shop](https://shop.example.com/kettle)."
AUTOLINKED = "More at <https://shop.example.com/kettle> if you like."


def photos(count: int) -> list:
    return [image_upload(f"p{n}.jpg") for n in range(count)]


def refused(exc_info, field: str) -> None:
    error = exc_info.value
    assert type(error) is DomainError
    assert error.field == field and error.code == "privilege"
    assert "trust level 1" in str(error.message)


# --- what counts as a link --------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        LINKED,
        AUTOLINKED,
        "Write to [us](mailto:help@example.com).",
    ],
)
def test_every_link_the_renderer_makes_counts(text):
    assert html_has_link(render_markdown(text))


@pytest.mark.parametrize(
    "text",
    [
        "No links here, just **bold** text.",
        "[click](javascript:alert(1))",  # left as text by the renderer
        '<a href="https://x.example">raw html</a>',  # raw HTML is shown as text
        "`<a href=x>code</a>`",
    ],
)
def test_text_the_renderer_does_not_link_is_not_a_link(text):
    assert not html_has_link(render_markdown(text))


def test_a_bare_url_counts_exactly_when_the_renderer_links_it():
    html = render_markdown("See https://shop.example.com/kettle for details.")
    assert html_has_link(html) == ("<a " in html)


# --- links -----------------------------------------------------------------------------


@pytest.mark.parametrize("body", [LINKED, AUTOLINKED])
def test_new_member_cannot_post_a_link(product, body):
    newcomer = MemberFactory()
    with pytest.raises(DomainError) as info:
        create(newcomer, product, body=body)
    refused(info, "body")
    assert not Review.objects.exists()


def test_basic_member_posts_links(product):
    member = MemberFactory(trust_level=TrustLevel.BASIC)
    review = create(member, product, body=LINKED)
    assert 'href="https://shop.example.com/kettle"' in review.body_html


def test_moderator_posts_links_at_level_0(product):
    moderator = ModeratorFactory()
    assert moderator.trust_level == TrustLevel.NEW
    assert html_has_link(create(moderator, product, body=LINKED).body_html)


def test_new_member_cannot_add_a_link_by_editing(product):
    newcomer = MemberFactory()
    review = create(newcomer, product)
    with pytest.raises(DomainError) as info:
        update(review, newcomer, body=AUTOLINKED)
    refused(info, "body")
    assert Review.objects.get(pk=review.pk).body == "Does exactly what it says."


def test_basic_member_adds_a_link_by_editing(product):
    member = MemberFactory(trust_level=TrustLevel.BASIC)
    review = create(member, product)
    assert html_has_link(update(review, member, body=LINKED).body_html)


def test_brand_staff_reply_with_a_link_is_exempt(product, brand_staff):
    assert brand_staff.trust_level == TrustLevel.NEW
    review = create(MemberFactory(), product)
    reply = services.brand_reply_save(review=review, author=brand_staff, body=LINKED)
    assert html_has_link(BrandReply.objects.get(pk=reply.pk).body_html)


def test_link_refusal_is_a_form_error_on_the_page(client, product):
    newcomer = MemberFactory()
    client.force_login(newcomer)
    response = client.post(
        reverse("reviews:create", args=[product.pk]),
        {"rating": 4, "title": "Nice", "body": LINKED},
    )
    assert response.status_code == 400
    assert "opens at trust level 1" in response.context["form"].errors["body"][0]
    assert not Review.objects.exists()


# --- photos ----------------------------------------------------------------------------


def test_new_member_adds_one_photo(product):
    assert rules.PHOTOS_BEFORE_BASIC == 1
    review = create(MemberFactory(), product, photos=photos(1))
    assert review.photo_count == 1


def test_new_member_cannot_add_a_second_photo(product):
    with pytest.raises(DomainError) as info:
        create(MemberFactory(), product, photos=photos(2))
    refused(info, "photos")
    assert not Review.objects.exists() and not ReviewPhoto.objects.exists()


def test_basic_member_adds_several_photos(product):
    member = MemberFactory(trust_level=TrustLevel.BASIC)
    assert create(member, product, photos=photos(3)).photo_count == 3


def test_moderator_adds_several_photos_at_level_0(product):
    assert create(ModeratorFactory(), product, photos=photos(2)).photo_count == 2


def test_new_member_cannot_edit_in_a_second_photo(product):
    newcomer = MemberFactory()
    review = create(newcomer, product, photos=photos(1))
    with pytest.raises(DomainError) as info:
        update(review, newcomer, add_photos=photos(1))
    refused(info, "photos")
    assert ReviewPhoto.objects.filter(review=review).count() == 1


def test_new_member_replaces_their_photo_and_edits_text(product):
    newcomer = MemberFactory()
    review = create(newcomer, product, photos=photos(1))
    old = review.photos.get()
    review = update(review, newcomer, add_photos=photos(1), remove_photo_ids=[old.pk])
    assert review.photo_count == 1
    assert update(review, newcomer, body="Still fine.").body == "Still fine."


def test_basic_member_edits_in_more_photos(product):
    member = MemberFactory(trust_level=TrustLevel.BASIC)
    review = create(member, product, photos=photos(1))
    assert update(review, member, add_photos=photos(2)).photo_count == 3


def test_photo_refusal_is_a_form_error_on_the_page(client, product):
    client.force_login(MemberFactory())
    response = client.post(
        reverse("reviews:create", args=[product.pk]),
        {"rating": 4, "title": "Nice", "body": "Good.", "photos": photos(2)},
    )
    assert response.status_code == 400
    assert "opens at trust level 1" in response.context["form"].errors["photos"][0]


# --- flag weight -----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("level", "weight"),
    [
        (TrustLevel.NEW, 1),
        (TrustLevel.BASIC, 1),
        (TrustLevel.MEMBER, 2),
        (TrustLevel.REGULAR, 2),
        (TrustLevel.LEADER, 2),
    ],
)
def test_flag_weight_follows_the_reporters_level(product, level, weight):
    review = create(MemberFactory(), product)
    flag = services.review_flag(
        review=review, reporter=MemberFactory(trust_level=level), reason="spam"
    )
    assert flag.weight == weight
    assert ReviewFlag.objects.get(pk=flag.pk).weight == weight


def test_moderator_flag_counts_double(product):
    review = create(MemberFactory(), product)
    flag = services.review_flag(review=review, reporter=ModeratorFactory(), reason="fake")
    assert flag.weight == 2


def test_flag_keeps_the_weight_it_was_made_with(product):
    reporter = MemberFactory()
    review = create(MemberFactory(), product)
    flag = services.review_flag(review=review, reporter=reporter, reason="spam")
    reporter.trust_level = TrustLevel.MEMBER
    reporter.save(update_fields=["trust_level"])
    assert ReviewFlag.objects.get(pk=flag.pk).weight == 1


# --- purchase fast track -----------------------------------------------------------------


def _code(product, value="ABCDEFGH2345") -> PurchaseCode:
    return PurchaseCode.objects.create(brand=product.brand, code=value)


def _level_rows(member):
    return ReputationEntry.objects.filter(member=member, reason=Reason.LEVEL_PROMOTED)


def test_redeeming_a_purchase_code_lifts_a_new_member_to_basic(product):
    newcomer = MemberFactory()
    code = _code(product)
    review = create(newcomer, product, purchase_code="abcd-efgh-2345")
    assert review.verified_purchase
    newcomer.refresh_from_db()
    assert newcomer.trust_level == TrustLevel.BASIC
    row = _level_rows(newcomer).get()
    assert row.trust_level == TrustLevel.BASIC and row.delta == 0
    assert row.source_type == ContentType.objects.get_for_model(PurchaseCode)
    assert row.source_id == code.pk


def test_a_verified_buyers_first_review_may_carry_photos_and_links(product):
    newcomer = MemberFactory()
    _code(product)
    review = create(newcomer, product, purchase_code="ABCDEFGH2345", photos=photos(2), body=LINKED)
    assert review.photo_count == 2 and html_has_link(review.body_html)
    assert Review.objects.get(pk=review.pk).verified_purchase


def test_an_invalid_code_lifts_nobody_and_gates_still_apply(product):
    newcomer = MemberFactory()
    with pytest.raises(DomainError) as info:
        create(newcomer, product, purchase_code="NOTACODE2345")
    assert info.value.field == "purchase_code"
    with pytest.raises(DomainError) as info:
        create(newcomer, product, purchase_code="NOTACODE2345", photos=photos(2))
    assert info.value.field == "purchase_code"  # checked once the code is known
    newcomer.refresh_from_db()
    assert newcomer.trust_level == TrustLevel.NEW
    assert not _level_rows(newcomer).exists()
    assert not Review.objects.exists()


def test_a_member_above_basic_keeps_their_level(product):
    regular = MemberFactory(trust_level=TrustLevel.REGULAR)
    _code(product)
    create(regular, product, purchase_code="ABCDEFGH2345")
    regular.refresh_from_db()
    assert regular.trust_level == TrustLevel.REGULAR
    assert not _level_rows(regular).exists()

"""community.reviews.services: every write, its access rule and the rating summary."""

import io
import random
import struct
import types
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from brand_clubs.models import BrandStaff, Product
from community.errors import AccessDenied, Conflict, DomainError, NotFound, RateLimited
from community.reputation.rules import TrustLevel
from community.reviews import services
from community.reviews.models import (
    BrandReply,
    HelpfulVote,
    PurchaseCode,
    Review,
    ReviewFlag,
    ReviewModeration,
    ReviewPhoto,
    ReviewRevision,
)
from tests.factories import (
    BrandFactory,
    BrandStaffFactory,
    MemberFactory,
    ProductFactory,
    ReviewFactory,
    image_upload,
)
from tests.reviews.writing import create, update

pytestmark = pytest.mark.django_db

SUMMARY_FIELDS = ("rating_count", "rating_total", *(f"stars_{n}" for n in range(1, 6)))
RENDITION_FIELDS = ("thumb", "thumb_webp", "medium", "medium_webp", "large", "large_webp")


# --- helpers ------------------------------------------------------------------------


@pytest.fixture
def member_is_basic(member):
    """`member` at trust level 1 (Basic), for tests of links and of several photos
    (below it those are refused: tests/reviews/test_privileges.py)."""
    member.trust_level = TrustLevel.BASIC
    member.save(update_fields=["trust_level"])
    return member


def summary(product: Product) -> dict[str, int]:
    fresh = Product.objects.get(pk=product.pk)
    return {name: getattr(fresh, name) for name in SUMMARY_FIELDS}


def summary_of(*ratings: int) -> dict[str, int]:
    values = {f"stars_{n}": ratings.count(n) for n in range(1, 6)}
    return {"rating_count": len(ratings), "rating_total": sum(ratings), **values}


def links(html: str) -> list[dict[str, str]]:
    """The attributes of every real <a> element (escaped text does not count)."""
    found = []

    class Parser(HTMLParser):
        def handle_starttag(self, tag, attrs):
            if tag == "a":
                found.append(dict(attrs))

    Parser().feed(html)
    return found


def media_files(settings) -> list[Path]:
    root = Path(settings.MEDIA_ROOT)
    return sorted(p for p in root.rglob("*") if p.is_file()) if root.exists() else []


def noisy_image(size=(400, 300)) -> Image.Image:
    """Not a flat colour, so encoders (and the truncation check) have real data."""
    grey = Image.linear_gradient("L").resize(size)
    return Image.merge("RGB", (grey, Image.effect_noise(size, 40), grey.rotate(90).resize(size)))


def encode(img: Image.Image, fmt: str = "JPEG", **params) -> bytes:
    buffer = io.BytesIO()
    img.save(buffer, format=fmt, **params)
    return buffer.getvalue()


def gps_exif() -> Image.Exif:
    exif = Image.Exif()
    exif[0x010F] = "SnoopCam"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}  # GPS IFD
    return exif


def upload(data: bytes, name="photo.jpg", content_type="image/jpeg") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, data, content_type=content_type)


def png_bomb(width: int, height: int) -> bytes:
    """A valid all-black 1-bit PNG streamed row by row: ~50 KB on disk, 400 MP decoded."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        crc = struct.pack(">I", zlib.crc32(kind + body))
        return struct.pack(">I", len(body)) + kind + body + crc

    compressor = zlib.compressobj(9)
    row = b"\x00" * (1 + (width + 7) // 8)
    idat = b"".join(compressor.compress(row) for _ in range(height)) + compressor.flush()
    ihdr = struct.pack(">IIBBBBB", width, height, 1, 0, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", idat) + chunk(b"IEND", b"")


def assert_metadata_free(field_file, fmt: str) -> Image.Image:
    with field_file.storage.open(field_file.name, "rb") as fh:
        raw = fh.read()
    assert b"Exif" not in raw and b"SnoopCam" not in raw
    img = Image.open(io.BytesIO(raw))
    assert img.format == fmt
    assert len(img.getexif()) == 0
    assert not {"exif", "xmp", "icc_profile", "XML:com.adobe.xmp"} & set(img.info)
    return img


@pytest.fixture
def frozen_rate_limit_clock(monkeypatch):
    """Fixed-window limits must not roll over mid-test."""
    monkeypatch.setattr("community.ratelimit.time", types.SimpleNamespace(time=lambda: 1.0e9))


@pytest.fixture
def review(member, product) -> Review:
    return create(member, product, rating=4)


@pytest.fixture
def brand_admin(product):
    return BrandStaffFactory(brand=product.brand, role=BrandStaff.Role.ADMIN).member


# --- review_create ------------------------------------------------------------------


def test_create_happy_path(member, product):
    review = create(
        member,
        product,
        rating="5",
        title="  Great kettle  ",
        body="Boils **fast**.\n\n# Verdict\n\nBuy it.",
    )

    review.refresh_from_db()
    assert review.author == member and review.product == product
    assert review.rating == 5
    assert review.title == "Great kettle"
    assert review.status == Review.Status.PUBLISHED
    assert review.language == "en"
    assert review.verified_purchase is False
    assert review.photo_count == 0 and review.helpful_count == 0
    assert review.edited_at is None
    assert "<strong>fast</strong>" in review.body_html
    assert "<h3>Verdict</h3>" in review.body_html and "<h1" not in review.body_html
    assert summary(product) == summary_of(5)


def test_create_detects_chinese(member, product):
    review = create(member, product, title="很好用的水壶", body="烧水很快，外观也漂亮。推荐购买！")  # noqa: RUF001 (real Chinese punctuation)
    assert review.language == "zh"
    assert Review.objects.get(pk=review.pk).language == "zh"


def test_create_summary_accumulates_over_members(product):
    for rating in (5, 3, 3, 1):
        create(MemberFactory(), product, rating=rating)
    assert summary(product) == summary_of(5, 3, 3, 1)
    assert Product.objects.get(pk=product.pk).rating_average == 3.0


@pytest.mark.usefixtures("member_is_basic")
def test_create_neutralises_script_and_javascript_links(member, product):
    body = (
        "<script>alert('x')</script>\n\n"
        '[click](javascript:alert(1)) and <a href="javascript:alert(2)">here</a>\n\n'
        "<img src=x onerror=alert(3)>\n\n"
        "[maker](https://example.com/kettle)"
    )
    review = create(member, product, body=body)
    html = Review.objects.get(pk=review.pk).body_html

    assert review.body == body  # the source is kept as typed, for editing
    assert "<script" not in html and "<img" not in html  # shown as text, never as tags
    assert links(html) == [
        {"href": "https://example.com/kettle", "rel": "nofollow ugc noopener"}
    ]  # the javascript: links stayed text


@pytest.mark.parametrize("rating", [0, 6, -1, "abc", "", None, "4.5"])
def test_create_rejects_bad_rating(member, product, rating):
    with pytest.raises(DomainError) as info:
        create(member, product, rating=rating)
    assert type(info.value) is DomainError and info.value.field == "rating"
    assert not Review.objects.exists()
    assert summary(product) == summary_of()


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"title": "   "}, "title"),
        ({"title": "x" * 151}, "title"),
        ({"body": ""}, "body"),
        ({"body": "x" * 10_001}, "body"),
    ],
)
def test_create_rejects_bad_title_or_body(member, product, fields, field):
    with pytest.raises(DomainError) as info:
        create(member, product, **fields)
    assert info.value.field == field
    assert not Review.objects.exists()


def test_create_requires_an_active_member(product):
    with pytest.raises(AccessDenied):
        create(AnonymousUser(), product)
    with pytest.raises(AccessDenied):
        create(None, product)
    with pytest.raises(AccessDenied):
        create(MemberFactory(is_active=False), product)
    assert not Review.objects.exists()


def test_second_review_of_same_product_conflicts(member, product):
    create(member, product, rating=5)
    with pytest.raises(Conflict) as info:
        create(member, product, rating=1)
    assert info.value.code == "duplicate_review"
    assert Review.objects.filter(author=member).count() == 1
    assert summary(product) == summary_of(5)


def test_same_member_may_review_other_products(member, product):
    create(member, product)
    create(member, ProductFactory(brand=product.brand))
    assert Review.objects.filter(author=member).count() == 2


def test_new_review_allowed_after_deleting(member, product):
    first = create(member, product, rating=2)
    services.review_delete(review=first, actor=member)
    second = create(member, product, rating=5)

    assert second.pk != first.pk
    assert Review.objects.get(pk=first.pk).status == Review.Status.DELETED
    assert summary(product) == summary_of(5)


# --- review_create: photos ----------------------------------------------------------


@pytest.mark.usefixtures("member_is_basic")
def test_create_with_photos_stores_six_clean_renditions_each(member, product, settings):
    with_gps = upload(encode(noisy_image((800, 600)), exif=gps_exif()), name="IMG_0001.JPG")
    review = create(member, product, photos=[image_upload("a.jpg"), with_gps])

    review.refresh_from_db()
    assert review.photo_count == 2
    photos = list(review.photos.all())
    assert [p.position for p in photos] == [0, 1]
    assert [(p.width, p.height) for p in photos] == [(64, 48), (800, 600)]
    for photo in photos:
        for name in RENDITION_FIELDS:
            field_file = getattr(photo, name)
            assert field_file.name.startswith(f"reviews/{review.pk}/")
            assert field_file.storage.exists(field_file.name)
            img = assert_metadata_free(field_file, "WEBP" if name.endswith("_webp") else "JPEG")
            limit = {"thumb": 320, "medium": 960, "large": 1920}[name.split("_")[0]]
            assert max(img.size) == min(limit, max(photo.width, photo.height))
    assert len(media_files(settings)) == 12  # the uploads themselves are never stored
    assert summary(product) == summary_of(4)


def test_create_with_seven_photos_rejected(member, product, settings):
    photos = [image_upload(f"{n}.jpg") for n in range(7)]
    with pytest.raises(DomainError) as info:
        create(member, product, photos=photos)
    assert info.value.field == "photos"
    assert not Review.objects.exists() and not ReviewPhoto.objects.exists()
    assert media_files(settings) == []


@pytest.mark.usefixtures("member_is_basic")
def test_create_with_six_photos_accepted(member, product):
    review = create(member, product, photos=[image_upload(f"{n}.jpg") for n in range(6)])
    assert review.photos.count() == 6 == review.photo_count


def truncated_jpeg(settings):
    data = encode(noisy_image())
    return upload(data[: len(data) // 2], name="half.jpg"), "truncated"


def text_named_jpg(settings):
    return upload(b"Hello, I am definitely a photo.\n" * 20, name="holiday.jpg"), "not_image"


def decompression_bomb(settings):
    data = png_bomb(20_000, 20_000)
    assert len(data) < 200_000
    return upload(data, name="bomb.png", content_type="image/png"), "too_many_pixels"


def oversized(settings):
    settings.IMAGE_MAX_BYTES = 5_000
    data = encode(noisy_image(), quality=95)
    assert len(data) > 5_000
    return upload(data, name="huge.jpg"), "too_large"


@pytest.mark.parametrize(
    "make_bad", [truncated_jpeg, text_named_jpg, decompression_bomb, oversized]
)
@pytest.mark.usefixtures("member_is_basic")
def test_create_with_bad_photo_writes_nothing(member, product, settings, make_bad):
    bad, code = make_bad(settings)
    good = image_upload("fine.jpg")  # a good photo first: still all or nothing

    with pytest.raises(DomainError) as info:
        create(member, product, photos=[good, bad])

    assert type(info.value) is DomainError
    assert info.value.field == "photos" and info.value.code == code
    assert bad.name in str(info.value.message)
    assert not Review.objects.exists() and not ReviewPhoto.objects.exists()
    assert summary(product) == summary_of()
    assert media_files(settings) == []


# --- review_create: purchase codes --------------------------------------------------


@pytest.fixture
def code(product) -> PurchaseCode:
    return PurchaseCode.objects.create(brand=product.brand, code="ABCDEFGHJKMN", batch="spring")


def test_purchase_code_redeemed(member, product, code):
    review = create(member, product, purchase_code="ABCDEFGHJKMN")

    assert Review.objects.get(pk=review.pk).verified_purchase is True
    code.refresh_from_db()
    assert code.is_redeemed and code.redeemed_by == member and code.review == review
    assert code.redeemed_at is not None


@pytest.mark.parametrize(
    "typed", ["abcdefghjkmn", "ABCD-EFGH-JKMN", "  abcd efgh jkmn ", "AbCd-EfGh jKmN"]
)
def test_purchase_code_normalised(member, product, code, typed):
    review = create(member, product, purchase_code=typed)
    assert Review.objects.get(pk=review.pk).verified_purchase is True
    code.refresh_from_db()
    assert code.redeemed_by == member


def test_blank_purchase_code_ignored(member, product, code):
    review = create(member, product, purchase_code="   ")
    assert review.verified_purchase is False
    code.refresh_from_db()
    assert not code.is_redeemed


def test_purchase_code_used_twice_fails_atomically(member, other_member, product, code):
    create(member, product, rating=5, purchase_code=code.code)

    with pytest.raises(DomainError) as info:
        create(other_member, product, rating=1, purchase_code=code.code.lower())

    assert info.value.code == "code_used" and info.value.field == "purchase_code"
    assert not Review.objects.filter(author=other_member).exists()
    assert summary(product) == summary_of(5)
    code.refresh_from_db()
    assert code.redeemed_by == member
    # Nothing was left behind: the member can still review without a code.
    assert create(other_member, product, rating=1).verified_purchase is False


def test_purchase_code_of_another_brand_rejected(member, product):
    """Same answer as for a made-up code: the form must not reveal which codes exist."""
    PurchaseCode.objects.create(brand=BrandFactory(), code="ZZZZZZZZZZZZ")
    with pytest.raises(DomainError) as info:
        create(member, product, purchase_code="ZZZZ-ZZZZ-ZZZZ")
    assert info.value.code == "code_invalid" and info.value.field == "purchase_code"
    assert not Review.objects.exists()
    assert not PurchaseCode.objects.get(code="ZZZZZZZZZZZZ").is_redeemed
    assert summary(product) == summary_of()


def test_unknown_purchase_code_rejected(member, product, code, settings):
    with pytest.raises(DomainError) as info:
        create(member, product, purchase_code="NOPE-NOPE-NOPE", photos=[image_upload()])
    assert info.value.code == "code_invalid" and info.value.field == "purchase_code"
    assert not Review.objects.exists() and not ReviewPhoto.objects.exists()
    assert media_files(settings) == []
    assert summary(product) == summary_of()


# --- review_update ------------------------------------------------------------------


def test_update_keeps_revision_of_old_text(member, product):
    review = create(member, product, rating=4, title="Old title", body="Old body")
    created_at = review.created_at

    edited = update(review, member, title="New title", body="New **body**")

    assert edited.title == "New title" and edited.body == "New **body**"
    assert "<strong>body</strong>" in edited.body_html
    assert edited.edited_at is not None
    revision = ReviewRevision.objects.get(review=review)
    assert (revision.rating, revision.title, revision.body) == (4, "Old title", "Old body")
    assert revision.written_at == created_at

    again = update(Review.objects.get(pk=review.pk), member, title="Third")
    assert review.revisions.count() == 2
    latest = review.revisions.order_by("-pk").first()
    assert latest.title == "New title" and latest.written_at == edited.edited_at
    assert again.title == "Third"


def test_update_redetects_language(member, product):
    review = create(member, product)
    edited = update(review, member, title="改一下", body="其实用了一个月就坏了，很失望。")  # noqa: RUF001 (real Chinese punctuation)
    assert edited.language == "zh"


def test_update_rating_change_moves_summary(member, other_member, product):
    review = create(member, product, rating=4)
    create(other_member, product, rating=4)

    update(review, member, rating=2)

    assert summary(product) == summary_of(4, 2)
    assert Review.objects.get(pk=review.pk).rating == 2


def test_update_without_rating_change_keeps_summary(member, product):
    review = create(member, product, rating=3)
    update(review, member, body="Still three stars.")
    assert summary(product) == summary_of(3)


def test_update_of_hidden_review_leaves_summary_alone(member, moderator, product):
    review = create(member, product, rating=5)
    services.review_hide(review=review, moderator=moderator, reason="Spam")
    update(Review.objects.get(pk=review.pk), member, rating=1)
    assert summary(product) == summary_of()

    services.review_restore(review=review, moderator=moderator, reason="Fixed")
    assert summary(product) == summary_of(1)


def test_update_by_another_member_denied(member, other_member, product):
    review = create(member, product, rating=4, title="Mine")
    with pytest.raises(AccessDenied):
        update(Review.objects.get(pk=review.pk), other_member, rating=1, title="Hijacked")
    review.refresh_from_db()
    assert (review.rating, review.title) == (4, "Mine")
    assert not review.revisions.exists()
    assert summary(product) == summary_of(4)


def test_update_requires_login(review):
    with pytest.raises(AccessDenied):
        update(review, AnonymousUser())


def test_update_of_deleted_review_not_found(member, review):
    services.review_delete(review=review, actor=member)
    with pytest.raises(NotFound):
        update(Review.objects.get(pk=review.pk), member, rating=1)


@pytest.mark.parametrize("rating", [0, 6, "abc"])
def test_update_rejects_bad_rating(member, review, rating):
    with pytest.raises(DomainError) as info:
        update(review, member, rating=rating)
    assert info.value.field == "rating"
    assert Review.objects.get(pk=review.pk).rating == 4


@pytest.mark.usefixtures("member_is_basic")
def test_update_adding_photos_beyond_six_rejected(member, product, settings):
    review = create(member, product, photos=[image_upload(f"{n}.jpg") for n in range(4)])
    files_before = media_files(settings)

    with pytest.raises(DomainError) as info:
        update(review, member, add_photos=[image_upload(f"new{n}.jpg") for n in range(3)])

    assert info.value.field == "photos"
    assert review.photos.count() == 4 == Review.objects.get(pk=review.pk).photo_count
    assert not review.revisions.exists()
    assert media_files(settings) == files_before


@pytest.mark.usefixtures("member_is_basic")
def test_update_adding_photos_up_to_six(member, product):
    review = create(member, product, photos=[image_upload(f"{n}.jpg") for n in range(4)])
    edited = update(review, member, add_photos=[image_upload("e.jpg"), image_upload("f.jpg")])
    assert edited.photo_count == 6 == review.photos.count()
    positions = list(review.photos.values_list("position", flat=True))
    assert len(set(positions)) == 6 and positions == sorted(positions)


@pytest.mark.usefixtures("member_is_basic")
def test_update_removing_photos_deletes_rows_and_files(
    member, product, settings, django_capture_on_commit_callbacks
):
    review = create(member, product, photos=[image_upload("a.jpg"), image_upload("b.jpg")])
    gone, kept = review.photos.all()
    gone_names = [getattr(gone, name).name for name in RENDITION_FIELDS]

    with django_capture_on_commit_callbacks(execute=True):
        edited = update(review, member, remove_photo_ids=[str(gone.pk)])

    assert edited.photo_count == 1
    assert list(review.photos.all()) == [kept]
    storage = kept.thumb.storage
    assert not any(storage.exists(name) for name in gone_names)
    assert all(storage.exists(getattr(kept, name).name) for name in RENDITION_FIELDS)
    assert len(media_files(settings)) == 6


@pytest.mark.usefixtures("member_is_basic")
def test_update_replace_photo_at_the_limit(member, product):
    review = create(member, product, photos=[image_upload(f"{n}.jpg") for n in range(6)])
    first = review.photos.first()
    edited = update(review, member, remove_photo_ids=[first.pk], add_photos=[image_upload()])
    assert edited.photo_count == 6
    assert not ReviewPhoto.objects.filter(pk=first.pk).exists()


def test_update_cannot_remove_photos_of_another_review(member, other_member, product):
    theirs = create(other_member, product, photos=[image_upload()])
    mine = create(member, ProductFactory())
    their_photo = theirs.photos.get()

    update(mine, member, remove_photo_ids=[their_photo.pk])

    assert ReviewPhoto.objects.filter(pk=their_photo.pk).exists()
    assert Review.objects.get(pk=theirs.pk).photo_count == 1


def test_update_with_bad_photo_changes_nothing(member, review, settings):
    bad = upload(b"not an image at all" * 10, name="x.jpg")
    with pytest.raises(DomainError) as info:
        update(review, member, title="Changed", add_photos=[bad])
    assert info.value.field == "photos"
    assert Review.objects.get(pk=review.pk).title == "Solid choice"
    assert not review.revisions.exists()
    assert media_files(settings) == []


# --- review_delete ------------------------------------------------------------------


def test_delete_soft_deletes_and_leaves_summary(member, other_member, product):
    review = create(member, product, rating=2)
    create(other_member, product, rating=5)

    deleted = services.review_delete(review=review, actor=member)

    assert deleted.status == Review.Status.DELETED
    assert Review.objects.get(pk=review.pk).status == Review.Status.DELETED
    assert summary(product) == summary_of(5)


def test_delete_someone_elses_review_denied(member, other_member, review, product):
    with pytest.raises(AccessDenied):
        services.review_delete(review=review, actor=other_member)
    with pytest.raises(AccessDenied):
        services.review_delete(review=review, actor=AnonymousUser())
    assert Review.objects.get(pk=review.pk).status == Review.Status.PUBLISHED
    assert summary(product) == summary_of(4)


def test_delete_twice_not_found(member, review, product):
    services.review_delete(review=review, actor=member)
    with pytest.raises(NotFound):
        services.review_delete(review=Review.objects.get(pk=review.pk), actor=member)
    assert summary(product) == summary_of()


def test_delete_hidden_review_does_not_decrement_again(member, moderator, review, product):
    services.review_hide(review=review, moderator=moderator, reason="Spam")
    services.review_delete(review=Review.objects.get(pk=review.pk), actor=member)
    assert summary(product) == summary_of()
    with pytest.raises(Conflict):  # deleted is not hidden: nothing to restore
        services.review_restore(review=review, moderator=moderator, reason="Oops")
    assert summary(product) == summary_of()


# --- helpful votes ------------------------------------------------------------------


def test_mark_helpful_idempotent_and_unmark(review, other_member):
    assert services.review_mark_helpful(review=review, voter=other_member).helpful_count == 1
    assert services.review_mark_helpful(review=review, voter=other_member).helpful_count == 1
    assert HelpfulVote.objects.filter(review=review).count() == 1
    assert Review.objects.get(pk=review.pk).helpful_count == 1

    assert services.review_unmark_helpful(review=review, voter=other_member).helpful_count == 0
    assert services.review_unmark_helpful(review=review, voter=other_member).helpful_count == 0
    assert not HelpfulVote.objects.exists()


def test_mark_helpful_counts_each_voter(review):
    voters = MemberFactory.create_batch(3)
    for voter in voters:
        services.review_mark_helpful(review=review, voter=voter)
    services.review_unmark_helpful(review=review, voter=voters[0])
    assert Review.objects.get(pk=review.pk).helpful_count == 2
    assert services.review_helpful_recount(review=review) == 2


def test_mark_own_review_helpful_rejected(review, member):
    with pytest.raises(DomainError) as info:
        services.review_mark_helpful(review=review, voter=member)
    assert info.value.code == "own_review"
    assert not HelpfulVote.objects.exists()


@pytest.mark.parametrize("voter", [AnonymousUser(), None], ids=["anonymous", "none"])
def test_mark_helpful_anonymous_denied(review, voter):
    with pytest.raises(AccessDenied):
        services.review_mark_helpful(review=review, voter=voter)
    with pytest.raises(AccessDenied):
        services.review_unmark_helpful(review=review, voter=voter)


def test_mark_helpful_inactive_denied(review):
    with pytest.raises(AccessDenied):
        services.review_mark_helpful(review=review, voter=MemberFactory(is_active=False))


def test_mark_hidden_or_deleted_review_not_found(review, member, other_member, moderator):
    services.review_hide(review=review, moderator=moderator, reason="Spam")
    with pytest.raises(NotFound):
        services.review_mark_helpful(review=Review.objects.get(pk=review.pk), voter=other_member)

    gone = create(member, ProductFactory())
    services.review_delete(review=gone, actor=member)
    with pytest.raises(NotFound):
        services.review_mark_helpful(review=Review.objects.get(pk=gone.pk), voter=other_member)
    assert not HelpfulVote.objects.exists()


def test_helpful_recount_repairs_drift(review, other_member):
    services.review_mark_helpful(review=review, voter=other_member)
    Review.objects.filter(pk=review.pk).update(helpful_count=99)
    assert services.review_helpful_recount(review=review) == 1
    assert Review.objects.get(pk=review.pk).helpful_count == 1


def test_helpful_vote_rate_limited(settings, frozen_rate_limit_clock, other_member):
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "helpful_vote": (2, 60)}
    reviews = ReviewFactory.create_batch(3)
    services.review_mark_helpful(review=reviews[0], voter=other_member)
    services.review_mark_helpful(review=reviews[1], voter=other_member)
    with pytest.raises(RateLimited):
        services.review_mark_helpful(review=reviews[2], voter=other_member)
    assert HelpfulVote.objects.count() == 2


# --- brand replies ------------------------------------------------------------------


def test_brand_reply_create_then_edit(review, brand_staff, product):
    reply = services.brand_reply_save(review=review, author=brand_staff, body="Thank you!")
    assert reply.brand == product.brand and reply.author == brand_staff
    assert reply.body_html == "<p>Thank you!</p>\n" and reply.edited_at is None

    colleague = BrandStaffFactory(brand=product.brand).member
    edited = services.brand_reply_save(review=review, author=colleague, body="Thanks **a lot**")

    assert BrandReply.objects.count() == 1 and edited.pk == reply.pk
    edited.refresh_from_db()
    assert edited.body == "Thanks **a lot**" and "<strong>a lot</strong>" in edited.body_html
    assert edited.author == colleague and edited.edited_at is not None


def test_brand_reply_sanitised(review, brand_staff):
    reply = services.brand_reply_save(
        review=review,
        author=brand_staff,
        body="<script>alert(1)</script> [support](javascript:alert(2)) [faq](https://b.example/faq)",
    )
    assert "<script" not in reply.body_html
    assert links(reply.body_html) == [
        {"href": "https://b.example/faq", "rel": "nofollow ugc noopener"}
    ]


@pytest.mark.parametrize("who", ["other_brand_staff", "member", "other_member", "anonymous"])
def test_brand_reply_by_outsider_denied(request, review, who):
    author = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    with pytest.raises(AccessDenied):
        services.brand_reply_save(review=review, author=author, body="We are the brand.")
    assert not BrandReply.objects.exists()


def test_brand_reply_requires_body(review, brand_staff):
    with pytest.raises(DomainError) as info:
        services.brand_reply_save(review=review, author=brand_staff, body="   ")
    assert info.value.field == "body"
    with pytest.raises(DomainError) as info:
        services.brand_reply_save(review=review, author=brand_staff, body="x" * 5_001)
    assert info.value.field == "body"
    assert not BrandReply.objects.exists()


def test_brand_reply_to_hidden_review_not_found(review, brand_staff, moderator):
    services.review_hide(review=review, moderator=moderator, reason="Spam")
    with pytest.raises(NotFound):
        services.brand_reply_save(
            review=Review.objects.get(pk=review.pk), author=brand_staff, body="Hello"
        )


def test_brand_reply_delete(review, brand_staff, other_brand_staff):
    services.brand_reply_save(review=review, author=brand_staff, body="Hi")
    with pytest.raises(AccessDenied):
        services.brand_reply_delete(review=review, actor=other_brand_staff)
    assert BrandReply.objects.exists()
    services.brand_reply_delete(review=review, actor=brand_staff)
    assert not BrandReply.objects.exists()


# --- flags --------------------------------------------------------------------------


@pytest.mark.parametrize("reason", ReviewFlag.Reason.values)
def test_flag_each_reason(review, other_member, reason):
    flag = services.review_flag(review=review, reporter=other_member, reason=reason, note=" hm ")
    assert flag.reason == reason and flag.note == "hm" and flag.resolved_at is None


@pytest.mark.parametrize("reason", ["", "bogus", None, "SPAM"])
def test_flag_reason_validated(review, other_member, reason):
    with pytest.raises(DomainError) as info:
        services.review_flag(review=review, reporter=other_member, reason=reason)
    assert info.value.field == "reason"
    assert not ReviewFlag.objects.exists()


def test_flag_note_too_long(review, other_member):
    with pytest.raises(DomainError) as info:
        services.review_flag(review=review, reporter=other_member, reason="spam", note="x" * 1001)
    assert info.value.field == "note"


def test_flag_twice_conflicts(review, other_member):
    services.review_flag(review=review, reporter=other_member, reason="spam")
    with pytest.raises(Conflict) as info:
        services.review_flag(review=review, reporter=other_member, reason="fake")
    assert info.value.code == "duplicate_flag"
    assert ReviewFlag.objects.get().reason == "spam"


def test_flag_own_review_rejected(review, member):
    with pytest.raises(DomainError) as info:
        services.review_flag(review=review, reporter=member, reason="spam")
    assert type(info.value) is DomainError and info.value.code == "own_review"
    assert not ReviewFlag.objects.exists()


def test_flag_requires_login_and_visible_review(review, other_member, moderator):
    with pytest.raises(AccessDenied):
        services.review_flag(review=review, reporter=AnonymousUser(), reason="spam")
    services.review_hide(review=review, moderator=moderator, reason="Spam")
    with pytest.raises(NotFound):
        services.review_flag(
            review=Review.objects.get(pk=review.pk), reporter=other_member, reason="spam"
        )
    assert not ReviewFlag.objects.exists()


# --- moderation ---------------------------------------------------------------------


def test_hide_and_restore(review, product, moderator, other_member):
    flag = services.review_flag(review=review, reporter=other_member, reason="offensive")
    other_flag = services.review_flag(review=review, reporter=MemberFactory(), reason="spam")

    hidden = services.review_hide(review=review, moderator=moderator, reason="  Insults  ")

    assert hidden.status == Review.Status.HIDDEN
    assert Review.objects.get(pk=review.pk).status == Review.Status.HIDDEN
    assert summary(product) == summary_of()
    audit = ReviewModeration.objects.get(review=review)
    assert (audit.action, audit.moderator, audit.reason) == ("hide", moderator, "Insults")
    for f in (flag, other_flag):
        f.refresh_from_db()
        assert f.resolved_at is not None and f.resolved_by == moderator

    restored = services.review_restore(review=review, moderator=moderator, reason="On appeal")

    assert restored.status == Review.Status.PUBLISHED
    assert summary(product) == summary_of(4)
    actions = list(
        ReviewModeration.objects.filter(review=review)
        .order_by("pk")
        .values_list("action", flat=True)
    )
    assert actions == ["hide", "restore"]


def test_superuser_can_moderate(review, product):
    admin = MemberFactory(is_superuser=True, is_staff=True)
    services.review_hide(review=review, moderator=admin, reason="Spam")
    assert summary(product) == summary_of()


@pytest.mark.parametrize("who", ["member", "other_member", "brand_staff", "anonymous"])
def test_hide_and_restore_moderators_only(request, review, product, moderator, who):
    actor = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    with pytest.raises(AccessDenied):
        services.review_hide(review=review, moderator=actor, reason="Because")
    assert Review.objects.get(pk=review.pk).status == Review.Status.PUBLISHED

    services.review_hide(review=review, moderator=moderator, reason="Spam")
    with pytest.raises(AccessDenied):
        services.review_restore(review=review, moderator=actor, reason="Because")
    assert Review.objects.get(pk=review.pk).status == Review.Status.HIDDEN
    assert ReviewModeration.objects.count() == 1
    assert summary(product) == summary_of()


def test_inactive_moderator_denied(review):
    from tests.factories import ModeratorFactory

    with pytest.raises(AccessDenied):
        services.review_hide(review=review, moderator=ModeratorFactory(is_active=False), reason="x")


@pytest.mark.parametrize("reason", ["", "   ", None])
def test_hide_and_restore_require_reason(review, product, moderator, reason):
    with pytest.raises(DomainError) as info:
        services.review_hide(review=review, moderator=moderator, reason=reason)
    assert info.value.field == "reason"
    assert Review.objects.get(pk=review.pk).status == Review.Status.PUBLISHED
    assert summary(product) == summary_of(4)

    services.review_hide(review=review, moderator=moderator, reason="Spam")
    with pytest.raises(DomainError) as info:
        services.review_restore(review=review, moderator=moderator, reason=reason)
    assert info.value.field == "reason"
    assert Review.objects.get(pk=review.pk).status == Review.Status.HIDDEN
    assert ReviewModeration.objects.count() == 1


def test_hide_twice_conflicts(review, product, moderator):
    services.review_hide(review=review, moderator=moderator, reason="Spam")
    with pytest.raises(Conflict):
        services.review_hide(review=review, moderator=moderator, reason="Spam again")
    assert summary(product) == summary_of()  # not decremented twice
    assert ReviewModeration.objects.count() == 1


def test_restore_published_conflicts(review, product, moderator):
    with pytest.raises(Conflict):
        services.review_restore(review=review, moderator=moderator, reason="Nothing to do")
    assert summary(product) == summary_of(4)
    assert not ReviewModeration.objects.exists()


def test_flags_dismiss(review, moderator, other_member, member):
    services.review_flag(review=review, reporter=other_member, reason="spam")
    with pytest.raises(AccessDenied):
        services.review_flags_dismiss(review=review, moderator=member)
    assert services.review_flags_dismiss(review=review, moderator=moderator) == 1
    assert services.review_flags_dismiss(review=review, moderator=moderator) == 0
    assert Review.objects.get(pk=review.pk).status == Review.Status.PUBLISHED


def test_rating_recount_repairs_drift(review, product):
    Product.objects.filter(pk=product.pk).update(rating_count=7, rating_total=3, stars_1=9)
    repaired = services.product_rating_recount(product=product)
    assert {name: getattr(repaired, name) for name in SUMMARY_FIELDS} == summary_of(4)


# --- purchase codes -----------------------------------------------------------------


def test_brand_admin_generates_codes(product, brand_admin):
    codes = services.purchase_codes_generate(
        brand=product.brand, count=25, actor=brand_admin, batch="Trade fair"
    )
    assert len(codes) == len(set(codes)) == 25
    assert all(len(c) == 12 and set(c) <= set(services.PURCHASE_CODE_ALPHABET) for c in codes)
    assert not set("01IO") & set(services.PURCHASE_CODE_ALPHABET)
    rows = PurchaseCode.objects.filter(brand=product.brand)
    assert sorted(rows.values_list("code", flat=True)) == sorted(codes)
    assert set(rows.values_list("batch", flat=True)) == {"Trade fair"}
    assert not any(row.is_redeemed for row in rows)


def test_generated_code_can_be_redeemed(product, brand_admin, member):
    [code] = services.purchase_codes_generate(brand=product.brand, count=1, actor=brand_admin)
    typed = "-".join([code[:4], code[4:8], code[8:]]).lower()
    assert create(member, product, purchase_code=typed).verified_purchase is True


def test_superuser_generates_codes(product):
    superuser = MemberFactory(is_superuser=True, is_staff=True)
    assert len(services.purchase_codes_generate(brand=product.brand, count=3, actor=superuser)) == 3


@pytest.mark.parametrize("who", ["brand_staff", "other_brand_staff", "member", "anonymous"])
def test_generate_codes_denied(request, product, who):
    actor = AnonymousUser() if who == "anonymous" else request.getfixturevalue(who)
    with pytest.raises(AccessDenied):
        services.purchase_codes_generate(brand=product.brand, count=5, actor=actor)
    assert not PurchaseCode.objects.exists()


def test_admin_of_another_brand_denied(product):
    other_admin = BrandStaffFactory(role=BrandStaff.Role.ADMIN).member
    with pytest.raises(AccessDenied):
        services.purchase_codes_generate(brand=product.brand, count=5, actor=other_admin)


@pytest.mark.parametrize("count", [0, -1, 10_001])
def test_generate_codes_count_bounds(product, brand_admin, count):
    with pytest.raises(DomainError) as info:
        services.purchase_codes_generate(brand=product.brand, count=count, actor=brand_admin)
    assert info.value.field == "count"
    assert not PurchaseCode.objects.exists()


# --- rate limits --------------------------------------------------------------------


def test_review_create_rate_limited(settings, frozen_rate_limit_clock, member, other_member):
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "review_write": (2, 3600)}
    products = ProductFactory.create_batch(3)
    create(member, products[0])
    create(member, products[1])

    with pytest.raises(RateLimited) as info:
        create(member, products[2])

    assert info.value.status_code == 429
    assert not Review.objects.filter(product=products[2]).exists()
    assert summary(products[2]) == summary_of()
    create(other_member, products[2])  # limits are per member


def test_review_update_counts_towards_write_limit(settings, frozen_rate_limit_clock, member):
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "review_write": (2, 3600)}
    review = create(member, ProductFactory())
    update(review, member, title="Once")
    with pytest.raises(RateLimited):
        update(Review.objects.get(pk=review.pk), member, title="Twice")
    assert Review.objects.get(pk=review.pk).title == "Once"


def test_flag_rate_limited(settings, frozen_rate_limit_clock, other_member):
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "review_flag": (1, 3600)}
    first, second = ReviewFactory.create_batch(2)
    services.review_flag(review=first, reporter=other_member, reason="spam")
    with pytest.raises(RateLimited):
        services.review_flag(review=second, reporter=other_member, reason="spam")


# --- property: the summary never drifts ---------------------------------------------


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_summary_matches_recount_after_random_operations(settings, moderator, seed):
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "review_write": (10_000, 3600)}
    rng = random.Random(seed)
    products = ProductFactory.create_batch(3)
    members = MemberFactory.create_batch(4)
    done = []

    def live(status=None):
        reviews = Review.objects.exclude(status=Review.Status.DELETED).order_by("pk")
        return list(reviews.filter(status=status) if status else reviews)

    step = 0
    while len(done) < 60:
        step += 1
        assert step < 1000, "the random walk got stuck"
        op = rng.choice(["create", "create", "update", "delete", "hide", "restore"])
        if op == "create":
            author, product = rng.choice(members), rng.choice(products)
            if (
                Review.objects.filter(author=author, product=product)
                .exclude(status=Review.Status.DELETED)
                .exists()
            ):
                with pytest.raises(Conflict):
                    create(author, product, rating=rng.randint(1, 5))
            else:
                create(author, product, rating=rng.randint(1, 5))
        elif op == "update" and live():
            target = rng.choice(live())
            update(target, target.author, rating=rng.randint(1, 5))
        elif op == "delete" and live():
            target = rng.choice(live())
            services.review_delete(review=target, actor=target.author)
        elif op == "hide" and live(Review.Status.PUBLISHED):
            target = rng.choice(live(Review.Status.PUBLISHED))
            services.review_hide(review=target, moderator=moderator, reason=f"step {step}")
        elif op == "restore" and live(Review.Status.HIDDEN):
            target = rng.choice(live(Review.Status.HIDDEN))
            services.review_restore(review=target, moderator=moderator, reason=f"step {step}")
        else:
            continue
        done.append(op)

        for product in products:
            before = summary(product)
            after = services.product_rating_recount(product=product)
            assert before == {name: getattr(after, name) for name in SUMMARY_FIELDS}, (
                f"seed {seed}: summary of {product} drifted after step {step} ({op}); "
                f"ops so far: {done}"
            )

    assert {"create", "update", "delete", "hide", "restore"} <= set(done)

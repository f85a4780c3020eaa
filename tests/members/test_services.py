"""community.members.services: profile edits, avatars and their access rule."""

import io
import types

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from community.errors import AccessDenied, DomainError, RateLimited
from community.members.models import Member
from community.members.services import member_update_profile
from tests.factories import MemberFactory, image_upload

pytestmark = pytest.mark.django_db


def save(member, actor=None, **kwargs):
    kwargs.setdefault("display_name", "Ada")
    return member_update_profile(member=member, actor=actor or member, **kwargs)


def photo_with_gps(size=(1200, 900)) -> SimpleUploadedFile:
    grey = Image.linear_gradient("L").resize(size)
    img = Image.merge("RGB", (grey, Image.effect_noise(size, 40), grey.rotate(90).resize(size)))
    exif = Image.Exif()
    exif[0x010F] = "SnoopCam"
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.5), 3: "W", 4: (0.0, 7.0, 39.0)}
    buffer = io.BytesIO()
    img.save(buffer, format="JPEG", exif=exif)
    return SimpleUploadedFile("me.jpg", buffer.getvalue(), content_type="image/jpeg")


def read_image(field_file) -> tuple[bytes, Image.Image]:
    with field_file.storage.open(field_file.name, "rb") as fh:
        raw = fh.read()
    return raw, Image.open(io.BytesIO(raw))


def test_update_profile_fields(member):
    saved = save(
        member,
        display_name="  Ada L.  ",
        bio="  Likes kettles.  ",
        preferred_language="zh-hans",
        time_zone="Asia/Shanghai",
    )
    fresh = Member.objects.get(pk=member.pk)
    assert saved.pk == fresh.pk
    assert fresh.display_name == "Ada L." and fresh.public_name == "Ada L."
    assert fresh.bio == "Likes kettles."
    assert (fresh.preferred_language, fresh.time_zone) == ("zh-hans", "Asia/Shanghai")


def test_blank_language_and_time_zone_mean_automatic(member):
    save(member, preferred_language="en", time_zone="Europe/Paris")
    save(member, preferred_language="", time_zone="")
    fresh = Member.objects.get(pk=member.pk)
    assert (fresh.preferred_language, fresh.time_zone) == ("", "")


@pytest.mark.parametrize("display_name", ["", "   ", None])
def test_display_name_required(member, display_name):
    before = member.display_name
    with pytest.raises(DomainError) as info:
        save(member, display_name=display_name)
    assert info.value.field == "display_name"
    assert Member.objects.get(pk=member.pk).display_name == before


@pytest.mark.parametrize("time_zone", ["Mars/Olympus_Mons", "utc+8", "../../etc/passwd"])
def test_invalid_time_zone_rejected(member, time_zone):
    with pytest.raises(DomainError) as info:
        save(member, time_zone=time_zone)
    assert info.value.field == "time_zone"
    assert Member.objects.get(pk=member.pk).time_zone == ""


@pytest.mark.parametrize("language", ["klingon", "fr", "zh-hans-extra-long"])
def test_invalid_preferred_language_rejected(member, language):
    """The service is the rule for every interface, like time_zone just above; the
    middleware would translation.activate() whatever is stored here."""
    with pytest.raises(DomainError) as info:
        save(member, preferred_language=language)
    assert info.value.field == "preferred_language"
    assert Member.objects.get(pk=member.pk).preferred_language == ""


@pytest.mark.parametrize("actor", ["other_member", "moderator", "anonymous", "none"])
def test_someone_elses_profile_denied(request, member, actor):
    special = {"anonymous": AnonymousUser(), "none": None}
    who = special[actor] if actor in special else request.getfixturevalue(actor)
    before = member.display_name
    with pytest.raises(AccessDenied):
        member_update_profile(member=member, actor=who, display_name="Hacked")
    assert Member.objects.get(pk=member.pk).display_name == before


def test_avatar_processed_into_clean_thumb_and_medium(member, settings):
    save(member, avatar=photo_with_gps())
    fresh = Member.objects.get(pk=member.pk)

    for field_file, edge in ((fresh.avatar_thumb, 96), (fresh.avatar_medium, 320)):
        assert field_file.name.startswith(f"avatars/{member.pk}/")
        raw, img = read_image(field_file)
        assert img.format == "JPEG"
        assert img.size == (edge, edge * 3 // 4)
        assert b"Exif" not in raw and b"SnoopCam" not in raw
        assert len(img.getexif()) == 0 and not img.getexif().get_ifd(0x8825)
        assert not {"exif", "xmp", "icc_profile"} & set(img.info)
    stored = [p for p in (settings.MEDIA_ROOT / "avatars").rglob("*") if p.is_file()]
    assert len(stored) == 2  # the upload itself is never kept


def test_png_avatar_accepted(member):
    save(member, avatar=image_upload("me.png", fmt="PNG", size=(50, 50)))
    _raw, img = read_image(Member.objects.get(pk=member.pk).avatar_thumb)
    assert img.format == "JPEG" and img.size == (50, 50)  # never upscaled


def test_remove_avatar(member):
    save(member, avatar=image_upload())
    save(member, remove_avatar=True)
    fresh = Member.objects.get(pk=member.pk)
    assert not fresh.avatar_thumb and not fresh.avatar_medium


def test_new_avatar_wins_over_remove(member):
    save(member, avatar=image_upload(), remove_avatar=True)
    assert Member.objects.get(pk=member.pk).avatar_thumb


@pytest.mark.parametrize(
    ("data", "code"),
    [
        (b"Just some text, not a picture.\n" * 20, "not_image"),
        (b"\xff\xd8\xff\xe0" + b"\x00" * 64, "corrupt"),
    ],
    ids=["text", "broken-jpeg"],
)
def test_bad_avatar_rejected(member, settings, data, code):
    before = member.display_name
    with pytest.raises(DomainError) as info:
        save(member, display_name="Changed", avatar=SimpleUploadedFile("me.jpg", data))
    assert info.value.field == "avatar"
    assert info.value.code in {code, "not_image", "corrupt", "truncated"}
    fresh = Member.objects.get(pk=member.pk)
    assert fresh.display_name == before and not fresh.avatar_thumb
    assert not (settings.MEDIA_ROOT / "avatars").exists()


def test_oversized_avatar_rejected(member, settings):
    settings.IMAGE_MAX_BYTES = 2_000
    with pytest.raises(DomainError) as info:
        save(member, avatar=photo_with_gps((400, 300)))
    assert (info.value.field, info.value.code) == ("avatar", "too_large")


def test_profile_writes_rate_limited(member, settings, monkeypatch):
    monkeypatch.setattr("community.ratelimit.time", types.SimpleNamespace(time=lambda: 1.0e9))
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "profile_write": (2, 3600)}
    save(member, display_name="One")
    save(member, display_name="Two")
    with pytest.raises(RateLimited):
        save(member, display_name="Three")
    assert Member.objects.get(pk=member.pk).display_name == "Two"
    save(MemberFactory(), display_name="Someone else")  # per member

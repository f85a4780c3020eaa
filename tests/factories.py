"""factory_boy factories shared by every test module."""

import io
from datetime import timedelta

import factory
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from brand_clubs.models import (
    Brand,
    BrandStaff,
    Category,
    Club,
    ClubMembership,
    ClubPost,
    Event,
    EventRSVP,
    Product,
)
from community.members.models import Member
from community.reviews.models import Review
from community.text import render_markdown


class MemberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Member
        skip_postgeneration_save = True

    email = factory.Sequence(lambda n: f"member{n}@example.com")
    display_name = factory.Sequence(lambda n: f"Member {n}")
    password = factory.PostGenerationMethodCall("set_password", "correct-horse-battery")

    @factory.post_generation
    def save_password(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class ModeratorFactory(MemberFactory):
    is_staff = True

    @factory.post_generation
    def moderator_permission(obj, create, extracted, **kwargs):
        from django.contrib.auth.models import Permission

        if create:
            obj.user_permissions.add(
                Permission.objects.get(
                    codename="moderate_content", content_type__app_label="members"
                ),
                Permission.objects.get(
                    codename="access_admin", content_type__app_label="wagtailadmin"
                ),
            )


class CategoryFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Category
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Category {n}")
    slug = factory.Sequence(lambda n: f"category-{n}")


class BrandFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Brand

    name = factory.Sequence(lambda n: f"Brand {n}")
    slug = factory.Sequence(lambda n: f"brand-{n}")
    description = "Makes things people like."
    verified = True


class BrandStaffFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BrandStaff

    brand = factory.SubFactory(BrandFactory)
    member = factory.SubFactory(MemberFactory)
    role = BrandStaff.Role.STAFF


class ProductFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Product

    brand = factory.SubFactory(BrandFactory)
    category = factory.SubFactory(CategoryFactory)
    name = factory.Sequence(lambda n: f"Product {n}")
    slug = factory.Sequence(lambda n: f"product-{n}")
    description = "A product."


class ReviewFactory(factory.django.DjangoModelFactory):
    """A published review written straight to the table. Tests of behaviour should go
    through services.review_create, which also maintains the product summary."""

    class Meta:
        model = Review

    author = factory.SubFactory(MemberFactory)
    product = factory.SubFactory(ProductFactory)
    rating = 4
    title = factory.Sequence(lambda n: f"Review {n}")
    body = "Works well. **Recommended.**"
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body))


class ClubFactory(factory.django.DjangoModelFactory):
    """A club written straight to the table (no landing page); `member_count` is kept
    by ClubMembershipFactory only if tests ask for it: services maintain it."""

    class Meta:
        model = Club

    brand = factory.SubFactory(BrandFactory)
    name = factory.Sequence(lambda n: f"Club {n}")
    slug = factory.Sequence(lambda n: f"club-{n}")
    description = "Owners who ride together."
    visibility = Club.Visibility.PUBLIC


class ClubMembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClubMembership

    club = factory.SubFactory(ClubFactory)
    member = factory.SubFactory(MemberFactory)
    role = ClubMembership.Role.MEMBER
    status = ClubMembership.Status.ACTIVE
    joined_at = factory.LazyFunction(timezone.now)


class ClubPostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ClubPost

    club = factory.SubFactory(ClubFactory)
    author = factory.SubFactory(MemberFactory)
    body = factory.Sequence(lambda n: f"Ride report {n}: **great** day out.")
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body))


class EventFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Event

    club = factory.SubFactory(ClubFactory)
    title = factory.Sequence(lambda n: f"Meet-up {n}")
    description = "Coffee and a ride."
    description_html = factory.LazyAttribute(lambda o: render_markdown(o.description))
    starts_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=7))
    ends_at = factory.LazyAttribute(lambda o: o.starts_at + timedelta(hours=3))
    time_zone = "Europe/Berlin"
    venue_name = "Harbour café"
    address = "Hafenstraße 1, Hamburg"
    visibility = Event.Visibility.CLUB


class EventRSVPFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EventRSVP

    event = factory.SubFactory(EventFactory)
    member = factory.SubFactory(MemberFactory)
    status = EventRSVP.Status.GOING
    checkin_code = factory.Sequence(lambda n: f"CODE{n:06d}")


def no_rate_limits(settings) -> None:
    """Lift every write limit for tests that write a lot."""
    settings.WRITE_RATE_LIMITS = {
        key: (10**6, period) for key, (_limit, period) in settings.WRITE_RATE_LIMITS.items()
    }


def club_member_at(club, level: int = 0, **kwargs) -> Member:
    """An active member of `club` at trust `level` (membership fields in kwargs)."""
    return ClubMembershipFactory(club=club, member__trust_level=level, **kwargs).member


def image_upload(
    name: str = "photo.jpg", *, size=(64, 48), fmt: str = "JPEG", color=(200, 80, 40)
) -> SimpleUploadedFile:
    """A real image made by Pillow, as a browser would upload it."""
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format=fmt)
    content_type = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}.get(
        fmt, "application/octet-stream"
    )
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


# --- experts -----------------------------------------------------------------------------


class CertificateFactory(factory.django.DjangoModelFactory):
    """A current certificate; `categories=[...]`, `brands=[...]` set its fields. The
    member gets an ExpertProfile and an up-to-date byline badge, as approval gives."""

    class Meta:
        model = "experts.Certificate"
        skip_postgeneration_save = True

    member = factory.SubFactory(MemberFactory)
    tier = "independent"
    headline = factory.Sequence(lambda n: f"Specialist number {n}")
    first_issued_at = factory.LazyFunction(timezone.now)
    verified_at = factory.LazyFunction(timezone.now)
    checks = factory.LazyFunction(lambda: ["identity", "qualification"])
    expires_at = factory.LazyFunction(lambda: timezone.now() + timedelta(days=365))

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.categories.set(extracted)

    @factory.post_generation
    def brands(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.brands.set(extracted)

    @factory.post_generation
    def profile_and_badge(obj, create, extracted, **kwargs):
        if not create:
            return
        from experts.models import ExpertProfile
        from experts.services.badges import expert_badge_refresh

        ExpertProfile.objects.get_or_create(member=obj.member)
        expert_badge_refresh(member_id=obj.member_id)
        obj.member.refresh_from_db(fields=["expert_badge"])


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "experts.Question"

    author = factory.SubFactory(MemberFactory)
    title = factory.Sequence(lambda n: f"How do I look after part {n}?")
    body = "It squeaks after rain. What should I check first?"
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body))


class AnswerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = "experts.Answer"

    question = factory.SubFactory(QuestionFactory)
    author = factory.SubFactory(MemberFactory)
    body = "Dry it, then use a drop of chain oil and wipe off the excess."
    body_html = factory.LazyAttribute(lambda o: render_markdown(o.body))

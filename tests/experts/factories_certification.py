"""Factories and uploads of part A (certification); shared factories are in
tests/factories.py."""

import io

import factory
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from PIL import Image

from brand_clubs.models import BrandStaff
from tests.factories import BrandStaffFactory, CategoryFactory, MemberFactory

MINIMAL_PDF = (
    b"%PDF-1.4\n"
    b"1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n"
    b"2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n"
    b"trailer << /Root 1 0 R >>\n"
    b"%%EOF\n"
)


def pdf_upload(name="diploma.pdf", content=MINIMAL_PDF, content_type="application/pdf"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def raw_upload(name, content: bytes, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


def png_bytes(size=(40, 30), color=(10, 120, 200)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, color).save(buffer, format="PNG")
    return buffer.getvalue()


class ApplicationFactory(factory.django.DjangoModelFactory):
    """An application written straight to the table (no evidence, no log): for lists.
    Behaviour tests go through services.application_submit."""

    class Meta:
        model = "experts.ExpertApplication"
        skip_postgeneration_save = True

    applicant = factory.SubFactory(MemberFactory)
    tier = "independent"
    headline = factory.Sequence(lambda n: f"Mechanic number {n}")
    credentials = "Twenty years of repairing bicycles."
    conflict_of_interest = "None."
    links = factory.LazyFunction(lambda: ["https://example.org/me"])

    @factory.post_generation
    def categories(obj, create, extracted, **kwargs):
        if create:
            obj.categories.set(extracted if extracted is not None else [CategoryFactory()])

    @factory.post_generation
    def brands(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.brands.set(extracted)


def brand_admin(brand):
    """An admin of `brand` who reaches the Wagtail admin (the "Brand admins" group)."""
    member = BrandStaffFactory(brand=brand, role=BrandStaff.Role.ADMIN).member
    member.groups.add(Group.objects.get(name="Brand admins"))
    return member

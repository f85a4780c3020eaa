"""Evidence files: the type comes from the bytes only, sizes are bounded, images are
re-encoded without metadata, files follow their rows, and the download URL is useless
to anyone but the uploader and the reviewers."""

import io

import pytest
from django.urls import reverse
from PIL import Image

from community.errors import DomainError
from experts.models import EvidenceFile, ExpertApplication
from experts.services import certification as services
from experts.services import evidence
from tests.experts.factories_certification import (
    MINIMAL_PDF,
    brand_admin,
    pdf_upload,
    png_bytes,
    raw_upload,
)
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    CertificateFactory,
    MemberFactory,
    ModeratorFactory,
    image_upload,
)

pytestmark = pytest.mark.django_db


def prepare_one(upload):
    (prepared,) = evidence.evidence_prepare([upload])
    return prepared


def refused(upload) -> DomainError:
    with pytest.raises(DomainError) as excinfo:
        evidence.evidence_prepare([upload])
    assert excinfo.value.field == "evidence"
    return excinfo.value


# --- types from bytes -------------------------------------------------------------------


def test_a_real_pdf_is_kept_as_it_is():
    prepared = prepare_one(pdf_upload())
    assert prepared.kind == EvidenceFile.Kind.PDF
    assert prepared.content == MINIMAL_PDF
    assert prepared.original_name == "diploma.pdf"


def test_a_pdf_with_a_misleading_name_and_type_is_still_a_pdf():
    prepared = prepare_one(raw_upload("photo.jpg", MINIMAL_PDF, "image/jpeg"))
    assert prepared.kind == EvidenceFile.Kind.PDF


def test_png_declared_as_pdf_is_accepted_as_an_image():
    prepared = prepare_one(raw_upload("licence.pdf", png_bytes(), "application/pdf"))
    assert prepared.kind == EvidenceFile.Kind.IMAGE
    assert prepared.content.startswith(b"\xff\xd8")  # re-encoded as JPEG


@pytest.mark.parametrize(
    ("name", "content", "content_type"),
    [
        ("diploma.pdf", b"<!doctype html><script>alert(1)</script>", "application/pdf"),
        ("diploma.pdf", b"<html><body>Certified!</body></html>" * 5, "application/pdf"),
        ("portrait.jpg", b"just some text pretending to be a photo\n" * 4, "image/jpeg"),
        ("setup.pdf", b"MZ\x90\x00\x03\x00\x00\x00" + b"\x00" * 200, "application/pdf"),
        ("archive.png", b"PK\x03\x04" + b"\x00" * 200, "image/png"),
        ("vector.png", b'<svg xmlns="http://www.w3.org/2000/svg"></svg>', "image/svg+xml"),
    ],
)
def test_forged_types_are_refused(name, content, content_type):
    error = refused(raw_upload(name, content, content_type))
    assert error.code == "file_type"
    assert name in str(error.message)


@pytest.mark.parametrize(
    "content",
    [
        b"%PDF-1.7\n",  # a header and nothing else
        MINIMAL_PDF[: len(MINIMAL_PDF) // 2],  # cut off before the trailer
        b"%PDF-x.y\n" + MINIMAL_PDF[9:],  # not a PDF version
        b"%PDF",
    ],
)
def test_truncated_or_broken_pdfs_are_refused(content):
    error = refused(raw_upload("paper.pdf", content, "application/pdf"))
    assert error.code == "truncated"


def test_a_half_image_is_refused():
    data = png_bytes((200, 200))
    refused(raw_upload("cut.png", data[: len(data) // 2], "image/png"))


def test_an_empty_file_is_refused():
    assert refused(raw_upload("empty.pdf", b"")).code == "empty"


def test_decompression_bomb_is_refused_before_decoding(settings):
    settings.IMAGE_MAX_PIXELS = 1_000_000
    buffer = io.BytesIO()
    Image.new("1", (3000, 3000)).save(buffer, format="PNG")  # tiny file, 9 MP
    assert len(buffer.getvalue()) < 50_000
    error = refused(raw_upload("bomb.png", buffer.getvalue(), "image/png"))
    assert error.code == "too_many_pixels"


def test_oversized_files_are_refused(settings):
    settings.EXPERT_EVIDENCE_MAX_BYTES = 1000
    big_pdf = MINIMAL_PDF[:-6] + b" " * 2000 + b"%%EOF\n"
    assert refused(raw_upload("big.pdf", big_pdf, "application/pdf")).code == "too_large"


def test_oversized_upload_is_not_read_past_the_limit(settings):
    settings.EXPERT_EVIDENCE_MAX_BYTES = 1000

    class Endless(io.RawIOBase):
        name = "stream.pdf"
        size = None
        requested = 0

        def readable(self):
            return True

        def read(self, n=-1):
            Endless.requested += n
            return b"%PDF-1.4" + b"x" * (n - 8)

    assert refused(Endless()).code == "too_large"
    assert Endless.requested == 1001


def test_images_are_reencoded_bounded_and_stripped():
    buffer = io.BytesIO()
    exif = Image.Exif()
    exif[0x8825] = {2: (52.0, 31.0, 12.0)}  # GPS
    exif[0x010F] = "SecretCam"
    Image.new("RGB", (3000, 1500), (1, 2, 3)).save(buffer, format="JPEG", exif=exif)
    prepared = prepare_one(raw_upload("passport.jpeg", buffer.getvalue(), "image/jpeg"))
    image = Image.open(io.BytesIO(prepared.content))
    assert image.format == "JPEG"
    assert max(image.size) == evidence.EVIDENCE_IMAGE_EDGE
    assert not image.getexif()


def test_original_names_lose_folders_and_control_characters():
    upload = pdf_upload(name="..\\..\\etc/pass\x00wd\nfile.pdf")
    assert prepare_one(upload).original_name == "passwdfile.pdf"


# --- files follow rows ------------------------------------------------------------------


def stored_files(settings) -> list:
    root = settings.PRIVATE_MEDIA_ROOT
    return [path for path in root.rglob("*") if path.is_file()] if root.exists() else []


def test_files_are_private_and_named_by_the_server(settings):
    application = services.application_submit(
        applicant=MemberFactory(),
        tier="independent",
        categories=[CategoryFactory()],
        headline="Chemist",
        credentials="PhD",
        conflict_of_interest="None",
        evidence_uploads=[pdf_upload("my diploma.pdf"), image_upload("me.png", fmt="PNG")],
    )
    rows = list(application.evidence.order_by("pk"))
    names = [row.file.name for row in rows]
    assert all(name.startswith("evidence/") for name in names)
    assert names[0].endswith(".pdf") and names[1].endswith(".jpg")
    assert "diploma" not in "".join(names)
    assert len(stored_files(settings)) == 2
    assert str(settings.PRIVATE_MEDIA_ROOT) in rows[0].file.path
    with pytest.raises(ValueError):
        rows[0].file.url  # noqa: B018 - private storage has no public URL


def test_files_are_removed_when_the_transaction_fails(settings, monkeypatch):
    def broken_log(**kwargs):
        raise RuntimeError("database went away")

    monkeypatch.setattr(services, "_log", broken_log)
    with pytest.raises(RuntimeError):
        services.application_submit(
            applicant=MemberFactory(),
            tier="independent",
            categories=[CategoryFactory()],
            headline="Chemist",
            credentials="PhD",
            conflict_of_interest="None",
            evidence_uploads=[pdf_upload(), pdf_upload()],
        )
    assert not ExpertApplication.objects.exists()
    assert not EvidenceFile.objects.exists()
    assert stored_files(settings) == []


def test_a_bad_file_among_good_ones_writes_nothing(settings):
    with pytest.raises(DomainError):
        services.application_submit(
            applicant=MemberFactory(),
            tier="independent",
            categories=[CategoryFactory()],
            headline="Chemist",
            credentials="PhD",
            conflict_of_interest="None",
            evidence_uploads=[pdf_upload(), raw_upload("x.pdf", b"<html></html>")],
        )
    assert not ExpertApplication.objects.exists()
    assert stored_files(settings) == []


def test_evidence_delete_removes_files_after_commit(settings, django_capture_on_commit_callbacks):
    application = services.application_submit(
        applicant=MemberFactory(),
        tier="independent",
        categories=[CategoryFactory()],
        headline="Chemist",
        credentials="PhD",
        conflict_of_interest="None",
        evidence_uploads=[pdf_upload()],
    )
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        evidence.evidence_delete(application.evidence.all())
    assert not EvidenceFile.objects.exists()
    assert len(stored_files(settings)) == 1  # not before the commit
    for callback in callbacks:
        callback()
    assert stored_files(settings) == []


# --- who may download -------------------------------------------------------------------


def submit_with_evidence(applicant, **overrides):
    values = {
        "applicant": applicant,
        "tier": "independent",
        "categories": [CategoryFactory()],
        "headline": "Chemist",
        "credentials": "PhD",
        "conflict_of_interest": "None",
        "evidence_uploads": [pdf_upload("diploma.pdf")],
    }
    values.update(overrides)
    application = services.application_submit(**values)
    return application, application.evidence.get()


def download(client, user, row):
    client.logout()
    if user is not None:
        client.force_login(user)
    return client.get(reverse("experts:evidence", args=[row.pk]))


def test_application_evidence_reaches_only_the_applicant_and_reviewers(client):
    employer = BrandFactory()
    applicant = MemberFactory()
    _application, row = submit_with_evidence(applicant)
    moderator = ModeratorFactory()
    for outsider in (
        None,
        MemberFactory(),
        brand_admin(employer),  # a brand admin, but this is not a brand-staff application
        MemberFactory(is_staff=True),
    ):
        assert download(client, outsider, row).status_code == 404
    for insider in (applicant, moderator):
        response = download(client, insider, row)
        assert response.status_code == 200
        assert b"".join(response.streaming_content) == MINIMAL_PDF
        assert response["Content-Type"] == "application/pdf"
        assert response["Content-Disposition"].startswith("attachment;")
        assert 'filename="diploma.pdf"' in response["Content-Disposition"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Cache-Control"].startswith("private")


def test_brand_staff_evidence_reaches_the_employers_admins_only(client):
    employer = BrandFactory()
    _application, row = submit_with_evidence(MemberFactory(), tier="brand_staff", employer=employer)
    assert download(client, brand_admin(employer), row).status_code == 200
    assert download(client, brand_admin(BrandFactory()), row).status_code == 404


def test_challenge_evidence_is_hidden_from_the_challenged_expert(client):
    certificate = CertificateFactory()
    challenger = MemberFactory()
    challenge = services.challenge_submit(
        challenger=challenger,
        certificate=certificate,
        statement="Fake.",
        evidence_uploads=[image_upload("proof.jpg")],
    )
    row = challenge.evidence.get()
    assert download(client, certificate.member, row).status_code == 404
    assert download(client, MemberFactory(), row).status_code == 404
    assert download(client, None, row).status_code == 404
    response = download(client, challenger, row)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/jpeg"
    assert response["Content-Disposition"].startswith("inline;")
    assert download(client, ModeratorFactory(), row).status_code == 200


def test_an_expert_who_moderates_cannot_read_evidence_against_themself(client):
    expert = ModeratorFactory()
    certificate = CertificateFactory(member=expert)
    challenge = services.challenge_submit(
        challenger=MemberFactory(),
        certificate=certificate,
        statement="Fake.",
        evidence_uploads=[pdf_upload()],
    )
    assert download(client, expert, challenge.evidence.get()).status_code == 404


def test_unknown_ids_and_closed_accounts_get_404(client):
    applicant = MemberFactory()
    _application, row = submit_with_evidence(applicant)
    client.force_login(applicant)
    assert client.get(reverse("experts:evidence", args=[row.pk + 1000])).status_code == 404
    applicant.is_active = False
    applicant.save()
    assert download(client, applicant, row).status_code == 404

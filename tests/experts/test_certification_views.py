"""Members' pages of the certification workflow: apply, my applications (answer the
reviewers, withdraw), public credentials (one click from every expert's name) and
challenges."""

from datetime import timedelta

import pytest
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from experts.models import Certificate, CredentialChallenge, ExpertApplication
from experts.services import certification as services
from tests.experts.factories_certification import ApplicationFactory, pdf_upload, raw_upload
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    CertificateFactory,
    MemberFactory,
    ModeratorFactory,
)

pytestmark = pytest.mark.django_db

APPLY_URL = "/experts/apply/"


def apply_data(category, **overrides):
    data = {
        "tier": "independent",
        "employer": "",
        "categories": [category.pk],
        "headline": "Bicycle mechanic, 20 years",
        "credentials": "Master mechanic certificate, own workshop since 2005.",
        "links": "https://example.org/workshop\nhttps://example.org/register/123",
        "conflict_of_interest": "I sell bicycles of several brands.",
        "evidence": [pdf_upload()],
    }
    data.update(overrides)
    return data


def submit(applicant, **overrides):
    values = {
        "applicant": applicant,
        "tier": "independent",
        "categories": [CategoryFactory()],
        "headline": "Chemist",
        "credentials": "PhD in chemistry.",
        "conflict_of_interest": "None.",
        "evidence_uploads": [pdf_upload()],
    }
    values.update(overrides)
    return services.application_submit(**values)


# --- apply ------------------------------------------------------------------------------


def test_urls_are_the_agreed_ones():
    assert reverse("experts:apply") == APPLY_URL
    assert reverse("experts:application_list") == "/experts/applications/"
    assert reverse("experts:application_detail", args=[3]) == "/experts/applications/3/"
    assert reverse("experts:credentials", args=[7]) == "/experts/7/credentials/"
    assert reverse("experts:evidence", args=[5]) == "/experts/evidence/5/"
    assert reverse("experts:challenge", args=[9]) == "/experts/certificates/9/challenge/"


def test_apply_needs_a_signed_in_member(client):
    response = client.get(APPLY_URL)
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"] or "login" in response["Location"]


def test_apply_form_shows_tiers_fields_and_evidence(client, member):
    CategoryFactory(name="Tyres")
    BrandFactory(name="RoadGrip")
    client.force_login(member)
    response = client.get(APPLY_URL)
    assert response.status_code == 200
    body = response.content.decode()
    for text in ("Independent expert", "Industry practitioner", "Brand employee", "Tyres"):
        assert text in body
    assert 'enctype="multipart/form-data"' in body
    assert 'name="evidence"' in body and "multiple" in body
    assert 'name="renewal_of"' not in body  # nothing to renew yet


def test_apply_creates_the_application(client, member):
    category = CategoryFactory()
    moderator = ModeratorFactory()
    client.force_login(member)
    response = client.post(APPLY_URL, apply_data(category))
    application = ExpertApplication.objects.get(applicant=member)
    assert response.status_code == 302
    assert response["Location"] == reverse("experts:application_detail", args=[application.pk])
    assert application.links == [
        "https://example.org/workshop",
        "https://example.org/register/123",
    ]
    assert application.evidence.count() == 1
    assert moderator.notifications.filter(kind="expert_application_received").exists()


@pytest.mark.parametrize(
    ("overrides", "message"),
    [
        ({"evidence": [raw_upload("diploma.pdf", b"<html>hi</html>", "application/pdf")]}, "PDF"),
        ({"evidence": []}, "at least one document"),
        ({"categories": []}, "at least one field"),
        ({"tier": "brand_staff"}, "brand they work for"),
        ({"links": "javascript:alert(document.cookie)"}, "not a web address"),
        ({"conflict_of_interest": ""}, "This field is required"),
    ],
)
def test_apply_shows_errors_and_writes_nothing(client, member, overrides, message):
    client.force_login(member)
    response = client.post(APPLY_URL, apply_data(CategoryFactory(), **overrides))
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not ExpertApplication.objects.exists()


def test_apply_with_a_malformed_link_shows_the_form_error(client, member):
    """urlsplit raises ValueError on a broken IPv6 host: a form error, not a 500."""
    client.force_login(member)
    response = client.post(APPLY_URL, apply_data(CategoryFactory(), links="http://[oops"))
    assert response.status_code == 400  # this view's status for a form with errors
    body = response.content.decode()
    assert "is not a web address" in body
    assert "http://[oops" in body
    assert not ExpertApplication.objects.exists()


def test_apply_with_an_open_application_points_to_it(client, member):
    application = submit(member)
    client.force_login(member)
    response = client.get(APPLY_URL)
    assert reverse("experts:application_detail", args=[application.pk]) in response.content.decode()
    response = client.post(APPLY_URL, apply_data(CategoryFactory()))
    assert response.status_code == 400
    assert "already have an application" in response.content.decode()
    assert ExpertApplication.objects.filter(applicant=member).count() == 1


def test_apply_to_renew_prefills_from_the_certificate(client):
    certificate = CertificateFactory(headline="Tyre chemist", categories=[CategoryFactory()])
    client.force_login(certificate.member)
    response = client.get(f"{APPLY_URL}?renew={certificate.pk}")
    form = response.context["form"]
    assert form.initial["renewal_of"] == certificate.pk
    assert form.initial["headline"] == "Tyre chemist"
    data = apply_data(certificate.categories.get(), renewal_of=certificate.pk)
    response = client.post(APPLY_URL, data)
    assert response.status_code == 302
    assert ExpertApplication.objects.get().renewal_of == certificate


@pytest.mark.parametrize(
    "renew", ["%C2%B2", "99999999999999999999", str(2**31), "-1", "0", "1.5", "x", ""]
)
def test_apply_ignores_a_renew_parameter_that_names_no_certificate(client, renew):
    """ "²".isdigit() is true but int() refuses it; a huge id overflows the database
    integer. Both show the blank form, like an id that is not one's own."""
    certificate = CertificateFactory()  # so that the form offers renewals
    client.force_login(certificate.member)
    response = client.get(f"{APPLY_URL}?renew={renew}")
    assert response.status_code == 200
    assert response.context["form"].initial == {}


def test_suspended_and_revoked_certificates_are_not_offered_for_renewal(client, member):
    moderator = ModeratorFactory()
    suspended = CertificateFactory(member=member, headline="Suspended one")
    revoked = CertificateFactory(member=member, headline="Revoked one")
    expired = CertificateFactory(member=member, headline="Expired one")
    services.certificate_suspend(actor=moderator, certificate=suspended, reason="Checking.")
    services.certificate_revoke(actor=moderator, certificate=revoked, reason="Forged.")
    Certificate.objects.filter(pk=expired.pk).update(status=Certificate.Status.EXPIRED)
    client.force_login(member)
    response = client.get(f"{APPLY_URL}?renew={suspended.pk}")
    assert response.status_code == 200
    form = response.context["form"]
    assert form.initial == {}  # no prefill from a suspended certificate
    assert list(form.fields["renewal_of"].queryset) == [expired]
    response = client.post(APPLY_URL, apply_data(CategoryFactory(), renewal_of=suspended.pk))
    assert response.status_code == 400
    assert not ExpertApplication.objects.exists()
    suspended.refresh_from_db()
    assert suspended.status == Certificate.Status.SUSPENDED


def test_apply_cannot_renew_someone_elses_certificate(client, member):
    CertificateFactory(member=member)  # so that the form offers renewals
    foreign = CertificateFactory()
    client.force_login(member)
    response = client.post(APPLY_URL, apply_data(CategoryFactory(), renewal_of=foreign.pk))
    assert response.status_code == 400
    assert not ExpertApplication.objects.exists()


# --- my applications --------------------------------------------------------------------


def _make_applications(member, brand, count):
    for n in range(count):
        ApplicationFactory(
            applicant=member,
            tier="brand_staff" if n % 2 else "independent",
            employer=brand if n % 2 else None,
            categories=[CategoryFactory(), CategoryFactory()],
            brands=[brand],
            status=ExpertApplication.Status.REJECTED,
        )


def test_application_list_has_a_fixed_query_count(client, django_assert_max_num_queries):
    """The same number of queries with 10 and with 50 applications (20 per page)."""
    member = MemberFactory()
    brand = BrandFactory()
    client.force_login(member)
    url = reverse("experts:application_list")
    counts = []
    for added, total in ((10, 10), (40, 50)):
        _make_applications(member, brand, added)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(url)
        assert response.status_code == 200
        assert len(response.context["page"].object_list) == min(total, 20)
        counts.append(len(queries))
    assert counts[0] == counts[1]
    with django_assert_max_num_queries(10):
        client.get(url + "?page=3")


def test_application_list_empty_state(client, member):
    client.force_login(member)
    response = client.get(reverse("experts:application_list"))
    assert "You have not applied yet" in response.content.decode()


def test_application_detail_is_for_the_applicant_only(client, member):
    application = submit(member)
    url = reverse("experts:application_detail", args=[application.pk])
    client.force_login(MemberFactory())
    assert client.get(url).status_code == 404
    client.force_login(ModeratorFactory())  # reviewers use the admin pages
    assert client.get(url).status_code == 404
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 200
    body = response.content.decode()
    assert reverse("experts:evidence", args=[application.evidence.get().pk]) in body
    assert "Withdraw the application" in body


def test_rejection_reason_is_shown_but_approval_notes_are_not(client, member):
    moderator = ModeratorFactory(display_name="Strict Reviewer")
    rejected = submit(member)
    services.application_reject(
        reviewer=moderator, application=rejected, reason="The register has no such licence."
    )
    approved = submit(member)
    services.application_approve(
        reviewer=moderator, application=approved, checks=["identity"], note="Phoned HR secretly"
    )
    client.force_login(member)
    body = client.get(reverse("experts:application_detail", args=[rejected.pk])).content.decode()
    assert "The register has no such licence." in body
    assert "Strict Reviewer" not in body  # reviewers are "the reviewers"
    body = client.get(reverse("experts:application_detail", args=[approved.pk])).content.decode()
    assert "Phoned HR secretly" not in body
    assert "You are certified." in body


def test_respond_to_an_information_request(client, member):
    application = submit(member)
    services.application_request_info(
        reviewer=ModeratorFactory(), application=application, message="Which university?"
    )
    client.force_login(member)
    detail = client.get(reverse("experts:application_detail", args=[application.pk]))
    assert "Which university?" in detail.content.decode()
    assert 'id="respond"' in detail.content.decode()
    url = reverse("experts:application_respond", args=[application.pk])
    response = client.post(url, {"message": "", "evidence": []})
    assert response.status_code == 400
    response = client.post(url, {"message": "Heidelberg.", "evidence": [pdf_upload("more.pdf")]})
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ExpertApplication.Status.SUBMITTED
    assert application.evidence.count() == 2
    response = client.post(url, {"message": "Again?"})
    assert response.status_code == 400
    assert "have not asked" in response.content.decode()


def test_respond_is_post_only_and_for_the_applicant(client, member):
    application = submit(member)
    url = reverse("experts:application_respond", args=[application.pk])
    client.force_login(member)
    assert client.get(url).status_code == 405
    client.force_login(MemberFactory())
    assert client.post(url, {"message": "Hi"}).status_code == 404


def test_withdraw_asks_first(client, member):
    application = submit(member)
    url = reverse("experts:application_withdraw", args=[application.pk])
    client.force_login(member)
    response = client.get(url)
    assert response.status_code == 200
    assert "Withdraw your application?" in response.content.decode()
    application.refresh_from_db()
    assert application.is_open
    response = client.post(url)
    assert response.status_code == 302
    application.refresh_from_db()
    assert application.status == ExpertApplication.Status.WITHDRAWN
    client.force_login(MemberFactory())
    assert client.post(url).status_code == 404


# --- credentials ------------------------------------------------------------------------


def test_credentials_show_what_was_verified_and_until_when(client):
    category = CategoryFactory(name="Road tyres")
    brand = BrandFactory(name="Velo")
    certificate = CertificateFactory(
        headline="Rubber chemist",
        checks=["identity", "qualification", "conflicts"],
        categories=[category],
        brands=[brand],
        first_issued_at=timezone.now() - timedelta(days=800),
    )
    response = client.get(reverse("experts:credentials", args=[certificate.member_id]))
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        "Independent expert",
        "Rubber chemist",
        "Road tyres",
        "Velo",
        "Identity",
        "Degree or qualification",
        "Conflict-of-interest statement",
        "Certified since",
        "Expires",
        "Sign in to challenge",
    ):
        assert text in body, text


def test_brand_staff_credentials_are_labelled_with_the_brand(client):
    certificate = CertificateFactory(
        tier="brand_staff", employer=BrandFactory(name="RoadGrip"), checks=["employment"]
    )
    body = client.get(reverse("experts:credentials", args=[certificate.member_id])).content
    assert "Brand employee · RoadGrip" in body.decode()


def test_credentials_404_without_certificates_or_for_closed_accounts(client):
    assert client.get(reverse("experts:credentials", args=[MemberFactory().pk])).status_code == 404
    assert client.get(reverse("experts:credentials", args=[99999])).status_code == 404
    certificate = CertificateFactory()
    certificate.member.is_active = False
    certificate.member.save()
    assert (
        client.get(reverse("experts:credentials", args=[certificate.member_id])).status_code == 404
    )


def test_ended_certificates_stay_visible_without_private_details(client):
    moderator = ModeratorFactory()
    member = MemberFactory()
    application = submit(member)
    certificate = services.application_approve(
        reviewer=moderator, application=application, checks=["identity"], note="Secret note"
    )
    services.certificate_revoke(actor=moderator, certificate=certificate, reason="Forged papers")
    old = CertificateFactory(member=member, tier="practitioner")
    Certificate.objects.filter(pk=old.pk).update(status=Certificate.Status.EXPIRED)
    client.force_login(MemberFactory())
    response = client.get(reverse("experts:credentials", args=[member.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    assert "Revoked" in body and "Expired" in body
    assert "Secret note" not in body
    assert "Forged papers" not in body
    assert "/experts/evidence/" not in body
    assert "Challenge these credentials" not in body  # nothing current to challenge
    client.force_login(member)
    assert (
        "Forged papers"
        in client.get(reverse("experts:credentials", args=[member.pk])).content.decode()
    )


def test_credentials_page_query_count_does_not_grow(client, django_assert_max_num_queries):
    member = MemberFactory()
    for n in range(12):
        CertificateFactory(
            member=member,
            tier="brand_staff" if n % 2 else "practitioner",
            employer=BrandFactory() if n % 2 else None,
            categories=[CategoryFactory()],
            brands=[BrandFactory()],
        )
    with django_assert_max_num_queries(8):
        response = client.get(reverse("experts:credentials", args=[member.pk]))
    assert len(response.context["certificates"]) == 12


def test_every_expert_name_links_to_the_credentials_in_one_click():
    certificate = CertificateFactory(tier="brand_staff", employer=BrandFactory(name="RoadGrip"))
    html = Template("{% load member_names %}{% member_name person %}").render(
        Context({"person": certificate.member})
    )
    assert f'href="{reverse("experts:credentials", args=[certificate.member_id])}"' in html
    assert "Brand employee · RoadGrip" in html


# --- challenges -------------------------------------------------------------------------


def test_challenge_link_and_form(client, member):
    certificate = CertificateFactory()
    client.force_login(member)
    credentials = client.get(reverse("experts:credentials", args=[certificate.member_id]))
    url = reverse("experts:challenge", args=[certificate.pk])
    assert url in credentials.content.decode()
    response = client.get(url)
    assert response.status_code == 200
    response = client.post(url, {"statement": "Not a dentist.", "evidence": []})
    assert response.status_code == 400
    assert not CredentialChallenge.objects.exists()
    response = client.post(url, {"statement": "Not a dentist.", "evidence": [pdf_upload()]})
    assert response.status_code == 302
    assert CredentialChallenge.objects.get().challenger == member


def test_challenge_refusals(client):
    certificate = CertificateFactory()
    url = reverse("experts:challenge", args=[certificate.pk])
    assert client.get(url).status_code == 302  # sign in first
    client.force_login(certificate.member)
    assert client.get(url).status_code == 403
    assert (
        "Challenge these credentials"
        not in client.get(
            reverse("experts:credentials", args=[certificate.member_id])
        ).content.decode()
    )
    client.force_login(MemberFactory())
    Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.REVOKED)
    assert client.get(url).status_code == 404
    assert client.get(reverse("experts:challenge", args=[99999])).status_code == 404

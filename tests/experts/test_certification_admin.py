"""The certification review queue in the Wagtail admin: who sees it, what it lists,
fixed query counts, and the decisions taken from its pages."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import Permission
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from experts.models import Certificate, CredentialChallenge, ExpertApplication
from experts.services import certification as services
from tests.experts.factories_certification import ApplicationFactory, brand_admin, pdf_upload
from tests.factories import (
    BrandFactory,
    CategoryFactory,
    CertificateFactory,
    MemberFactory,
    ModeratorFactory,
)

pytestmark = pytest.mark.django_db


def submit(applicant, **overrides):
    values = {
        "applicant": applicant,
        "tier": "independent",
        "categories": [CategoryFactory()],
        "headline": "Chemist",
        "credentials": "PhD in chemistry.",
        "links": ["https://example.org/people/me"],
        "conflict_of_interest": "Paid talks for Acme in 2024.",
        "evidence_uploads": [pdf_upload("thesis.pdf")],
    }
    values.update(overrides)
    return services.application_submit(**values)


def challenge_of(certificate, challenger=None):
    return services.challenge_submit(
        challenger=challenger or MemberFactory(),
        certificate=certificate,
        statement="The licence expired in 2022.",
        evidence_uploads=[pdf_upload("register.pdf")],
    )


def admin_member_without_review_rights():
    member = MemberFactory(is_staff=True)
    member.user_permissions.add(
        Permission.objects.get(codename="access_admin", content_type__app_label="wagtailadmin")
    )
    return member


# --- access -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name",
    ["expert_review:applications", "expert_review:certificates", "expert_review:challenges"],
)
def test_lists_are_for_reviewers_only(client, name):
    url = reverse(name)
    response = client.get(url)
    assert response.status_code == 302
    assert "login" in response["Location"]
    client.force_login(admin_member_without_review_rights())
    response = client.get(url)
    assert response.status_code in (302, 403)
    assert response.get("Location", "") != url
    client.force_login(ModeratorFactory())
    assert client.get(url).status_code == 200


def test_menu_is_shown_to_reviewers_only(client):
    client.force_login(ModeratorFactory())
    assert (
        reverse("expert_review:applications")
        in client.get(reverse("wagtailadmin_home")).content.decode()
    )
    client.force_login(admin_member_without_review_rights())
    assert (
        reverse("expert_review:applications")
        not in client.get(reverse("wagtailadmin_home")).content.decode()
    )


def test_brand_admin_queue_is_scoped(client):
    employer = BrandFactory(name="RoadGrip")
    mine = submit(MemberFactory(display_name="Employee One"), tier="brand_staff", employer=employer)
    others = submit(
        MemberFactory(display_name="Other Employee"), tier="brand_staff", employer=BrandFactory()
    )
    independent = submit(MemberFactory(display_name="Independent One"), brands=[employer])
    client.force_login(brand_admin(employer))
    response = client.get(reverse("expert_review:applications"))
    assert response.status_code == 200
    assert [a.pk for a in response.context["items"]] == [mine.pk]
    assert client.get(reverse("expert_review:application", args=[mine.pk])).status_code == 200
    for hidden in (others, independent):
        assert client.get(reverse("expert_review:application", args=[hidden.pk])).status_code == 404
        response = client.post(
            reverse("expert_review:approve", args=[hidden.pk]),
            {"checks": ["employment"], "expires_at": "2030-01-01"},
        )
        assert response.status_code == 404
    assert not Certificate.objects.exists()


def test_queue_lists_open_first_and_filters_by_status(client):
    moderator = ModeratorFactory()
    oldest = submit(MemberFactory())
    decided = submit(MemberFactory())
    services.application_reject(reviewer=moderator, application=decided, reason="No.")
    newest = submit(MemberFactory())
    own = submit(moderator)
    client.force_login(moderator)
    response = client.get(reverse("expert_review:applications"))
    assert [a.pk for a in response.context["items"]] == [oldest.pk, newest.pk]
    response = client.get(reverse("expert_review:applications") + "?status=")
    assert [a.pk for a in response.context["items"]] == [oldest.pk, newest.pk, decided.pk]
    response = client.get(reverse("expert_review:applications") + "?status=rejected")
    assert [a.pk for a in response.context["items"]] == [decided.pk]
    response = client.get(reverse("expert_review:applications") + "?status=bogus")
    assert response.status_code == 200
    assert own.pk not in [a.pk for a in response.context["items"]]


# --- query counts -----------------------------------------------------------------------


def _count_queries(client, url) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.status_code == 200
    return len(queries)


def test_application_queue_query_count_is_fixed(client):
    moderator = ModeratorFactory()
    brand = BrandFactory()
    client.force_login(moderator)
    url = reverse("expert_review:applications") + "?status="
    counts = []
    for added in (10, 40):
        for n in range(added):
            ApplicationFactory(
                tier="brand_staff" if n % 2 else "practitioner",
                employer=brand if n % 2 else None,
                categories=[CategoryFactory()],
                brands=[brand],
            )
        counts.append(_count_queries(client, url))
    assert counts[0] == counts[1]


def test_certificate_and_challenge_lists_query_counts_are_fixed(client):
    moderator = ModeratorFactory()
    client.force_login(moderator)
    certificate_counts, challenge_counts = [], []
    for added in (10, 40):
        for n in range(added):
            certificate = CertificateFactory(
                tier="brand_staff" if n % 2 else "independent",
                employer=BrandFactory() if n % 2 else None,
                categories=[CategoryFactory()],
            )
            CredentialChallenge.objects.create(
                certificate=certificate, challenger=MemberFactory(), statement="Fake."
            )
        certificate_counts.append(_count_queries(client, reverse("expert_review:certificates")))
        challenge_counts.append(_count_queries(client, reverse("expert_review:challenges")))
    assert certificate_counts[0] == certificate_counts[1]
    assert challenge_counts[0] == challenge_counts[1]


# --- applications -----------------------------------------------------------------------


def test_application_page_shows_everything_reviewers_need(client):
    employer = BrandFactory(name="RoadGrip")
    application = submit(MemberFactory(), tier="brand_staff", employer=employer)
    client.force_login(ModeratorFactory())
    response = client.get(reverse("expert_review:application", args=[application.pk]))
    assert response.status_code == 200
    body = response.content.decode()
    for text in (
        "Brand employee · RoadGrip",
        "Chemist",
        "PhD in chemistry.",
        "https://example.org/people/me",
        "Paid talks for Acme in 2024.",
        "thesis.pdf",
        reverse("experts:evidence", args=[application.evidence.get().pk]),
        "Employment by the brand",
        "Applied",  # the log
    ):
        assert text in body, text


def test_approve_from_the_admin(client):
    applicant = MemberFactory()
    application = submit(applicant)
    client.force_login(ModeratorFactory())
    url = reverse("expert_review:approve", args=[application.pk])
    assert client.get(url).status_code == 302  # POST only
    response = client.post(url, {"checks": [], "expires_at": "2030-01-01", "note": ""})
    assert response.status_code == 400
    expiry = timezone.localdate() + timedelta(days=400)
    response = client.post(
        url, {"checks": ["identity", "qualification"], "expires_at": expiry.isoformat()}
    )
    assert response.status_code == 302
    certificate = Certificate.objects.get(member=applicant)
    assert timezone.localtime(certificate.expires_at).date() == expiry
    assert certificate.checks == ["identity", "qualification"]
    # A second decision (a stale page in another tab) is refused with a message.
    response = client.post(url, {"checks": ["identity"], "expires_at": expiry.isoformat()})
    assert response.status_code == 302
    assert Certificate.objects.filter(member=applicant).count() == 1


def test_approve_with_a_past_or_far_expiry_is_a_form_error(client):
    application = submit(MemberFactory())
    client.force_login(ModeratorFactory())
    url = reverse("expert_review:approve", args=[application.pk])
    for day in ("2001-01-01", "2999-01-01"):
        response = client.post(url, {"checks": ["identity"], "expires_at": day})
        assert response.status_code == 400
    assert not Certificate.objects.exists()


def test_reject_and_request_info_from_the_admin(client):
    first = submit(MemberFactory())
    second = submit(MemberFactory())
    client.force_login(ModeratorFactory())
    response = client.post(reverse("expert_review:reject", args=[first.pk]), {"reason": ""})
    assert response.status_code == 400
    response = client.post(
        reverse("expert_review:reject", args=[first.pk]), {"reason": "Unverifiable."}
    )
    assert response.status_code == 302
    response = client.post(
        reverse("expert_review:request_info", args=[second.pk]), {"message": "Which lab?"}
    )
    assert response.status_code == 302
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == ExpertApplication.Status.REJECTED
    assert second.status == ExpertApplication.Status.INFO_REQUESTED


def test_reviewers_cannot_approve_their_own_application_in_the_admin(client):
    moderator = ModeratorFactory()
    application = submit(moderator)
    client.force_login(moderator)
    page = client.get(reverse("expert_review:application", args=[application.pk]))
    assert "another reviewer decides" in page.content.decode()
    response = client.post(
        reverse("expert_review:approve", args=[application.pk]),
        {"checks": ["identity"], "expires_at": "2030-01-01"},
    )
    assert response.status_code in (302, 403)
    assert not Certificate.objects.exists()


# --- certificates and challenges --------------------------------------------------------


def test_certificate_page_and_actions(client):
    certificate = CertificateFactory(tier="brand_staff", employer=BrandFactory(name="Velo"))
    client.force_login(ModeratorFactory())
    page = client.get(reverse("expert_review:certificate", args=[certificate.pk]))
    assert page.status_code == 200
    assert "Brand employee · Velo" in page.content.decode()
    response = client.post(reverse("expert_review:suspend", args=[certificate.pk]), {"reason": ""})
    assert response.status_code == 400
    for action, status in (
        ("suspend", Certificate.Status.SUSPENDED),
        ("reinstate", Certificate.Status.ACTIVE),
        ("revoke", Certificate.Status.REVOKED),
    ):
        response = client.post(
            reverse(f"expert_review:{action}", args=[certificate.pk]), {"reason": f"{action}!"}
        )
        assert response.status_code == 302
        certificate.refresh_from_db()
        assert certificate.status == status
    # Revoked is final: a late reinstatement is refused with a message, not a 500.
    response = client.post(
        reverse("expert_review:reinstate", args=[certificate.pk]), {"reason": "Oops"}
    )
    assert response.status_code == 302
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    page = client.get(reverse("expert_review:certificate", args=[certificate.pk]))
    assert "revoke!" in page.content.decode()  # the log


def test_brand_admin_manages_only_their_employees_certificates(client):
    employer = BrandFactory()
    mine = CertificateFactory(tier="brand_staff", employer=employer)
    independent = CertificateFactory(brands=[employer])
    client.force_login(brand_admin(employer))
    response = client.get(reverse("expert_review:certificates"))
    assert [c.pk for c in response.context["items"]] == [mine.pk]
    assert (
        client.get(reverse("expert_review:certificate", args=[independent.pk])).status_code == 404
    )
    response = client.post(
        reverse("expert_review:revoke", args=[independent.pk]), {"reason": "Competitor"}
    )
    assert response.status_code == 404
    independent.refresh_from_db()
    assert independent.status == Certificate.Status.ACTIVE


def test_challenge_pages_and_resolution(client):
    certificate = CertificateFactory()
    challenge = challenge_of(certificate)
    moderator = ModeratorFactory()
    client.force_login(moderator)
    listing = client.get(reverse("expert_review:challenges"))
    assert [c.pk for c in listing.context["items"]] == [challenge.pk]
    page = client.get(reverse("expert_review:challenge", args=[challenge.pk]))
    assert page.status_code == 200
    body = page.content.decode()
    assert "The licence expired in 2022." in body
    assert reverse("experts:evidence", args=[challenge.evidence.get().pk]) in body
    url = reverse("expert_review:resolve", args=[challenge.pk])
    response = client.post(url, {"decision": "dismiss", "resolution": "x", "then": "revoke"})
    assert response.status_code == 400
    response = client.post(
        url, {"decision": "uphold", "resolution": "Register confirms.", "then": "suspend"}
    )
    assert response.status_code == 302
    challenge.refresh_from_db()
    certificate.refresh_from_db()
    assert challenge.status == CredentialChallenge.Status.UPHELD
    assert certificate.status == Certificate.Status.SUSPENDED
    assert len(client.get(reverse("expert_review:challenges")).context["items"]) == 0


def test_a_challenged_moderator_does_not_see_the_challenge_of_themself(client):
    expert = ModeratorFactory()
    challenge = challenge_of(CertificateFactory(member=expert))
    client.force_login(expert)
    assert list(client.get(reverse("expert_review:challenges")).context["items"]) == []
    page = client.get(reverse("expert_review:challenge", args=[challenge.pk]))
    assert "another reviewer decides" in page.content.decode()
    client.post(
        reverse("expert_review:resolve", args=[challenge.pk]),
        {"decision": "dismiss", "resolution": "All fine."},
    )
    challenge.refresh_from_db()
    assert challenge.status == CredentialChallenge.Status.OPEN

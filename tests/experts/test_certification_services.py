"""The certification workflow through its services: apply, ask for information and
answer, approve, reject, withdraw, expire, renew, suspend, reinstate, revoke, challenge;
the byline badge after each step; the log; notifications; bad input."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from community.errors import AccessDenied, Conflict, DomainError, NotFound, RateLimited
from community.members.models import Member, Notification
from experts.models import (
    Certificate,
    CertificationLogEntry,
    CredentialChallenge,
    ExpertApplication,
    ExpertProfile,
)
from experts.selectors.certification import certificates_renewable
from experts.services import certification as services
from tests.experts.factories_certification import brand_admin, pdf_upload
from tests.factories import (
    BrandFactory,
    BrandStaffFactory,
    CategoryFactory,
    CertificateFactory,
    MemberFactory,
    ModeratorFactory,
    image_upload,
)

pytestmark = pytest.mark.django_db

Action = CertificationLogEntry.Action


def submit(applicant, **overrides):
    values = {
        "applicant": applicant,
        "tier": "independent",
        "employer": None,
        "categories": [CategoryFactory(name="Tyres", slug="tyres")],
        "brands": [],
        "headline": "Tyre engineer, 15 years",
        "credentials": "MSc in materials science; worked at a tyre lab.",
        "links": ["https://example.org/lab/people/ann"],
        "conflict_of_interest": "No ties to any brand.",
        "evidence_uploads": [pdf_upload()],
    }
    values.update(overrides)
    return services.application_submit(**values)


def badge(member) -> dict:
    return Member.objects.get(pk=member.pk).expert_badge


def actions(**filters) -> list[str]:
    return list(
        CertificationLogEntry.objects.filter(**filters)
        .order_by("created_at", "pk")
        .values_list("action", flat=True)
    )


def notified(member, kind) -> list[Notification]:
    return list(Notification.objects.filter(recipient=member, kind=kind))


@pytest.fixture
def applicant():
    return MemberFactory(display_name="Ann")


@pytest.fixture
def reviewer():
    return ModeratorFactory()


# --- apply and approve ------------------------------------------------------------------


def test_submit_creates_open_application_with_evidence_log_and_notifies_moderators(
    applicant, reviewer
):
    other_moderator = ModeratorFactory()
    bystander = MemberFactory()
    application = submit(applicant, evidence_uploads=[pdf_upload(), image_upload("id.jpg")])
    assert application.status == ExpertApplication.Status.SUBMITTED
    assert application.is_open
    assert sorted(application.evidence.values_list("kind", flat=True)) == ["image", "pdf"]
    assert application.links == ["https://example.org/lab/people/ann"]
    assert actions(application=application) == [Action.SUBMITTED]
    for moderator in (reviewer, other_moderator):
        (notice,) = notified(moderator, "expert_application_received")
        assert notice.params["actor"] == "Ann"
        assert notice.url.endswith(f"/experts/applications/{application.pk}/")
    assert not notified(bystander, "expert_application_received")
    assert not notified(applicant, "expert_application_received")


def test_brand_staff_application_notifies_the_employers_admins_only(applicant, reviewer):
    employer = BrandFactory(name="RoadGrip")
    admin = brand_admin(employer)
    other_admin = brand_admin(BrandFactory())
    plain_staff = BrandStaffFactory(brand=employer).member
    submit(applicant, tier="brand_staff", employer=employer)
    assert notified(admin, "expert_application_received")
    assert notified(reviewer, "expert_application_received")
    assert not notified(other_admin, "expert_application_received")
    assert not notified(plain_staff, "expert_application_received")


def test_approve_creates_certificate_profile_badge_and_tells_the_applicant(applicant, reviewer):
    application = submit(applicant)
    assert badge(applicant) == {}
    certificate = services.application_approve(
        reviewer=reviewer,
        application=application,
        checks=["qualification", "identity"],
        note="Called the lab.",
    )
    application.refresh_from_db()
    assert application.status == ExpertApplication.Status.APPROVED
    assert application.decided_by == reviewer
    assert application.review_note == "Called the lab."
    assert certificate.status == Certificate.Status.ACTIVE
    assert certificate.is_current
    assert certificate.checks == ["identity", "qualification"]  # in the choices' order
    assert certificate.first_issued_at == certificate.verified_at
    assert certificate.verified_by == reviewer
    assert list(certificate.categories.values_list("slug", flat=True)) == ["tyres"]
    days = (certificate.expires_at - timezone.now()).days
    assert 364 <= days <= 365
    assert ExpertProfile.objects.filter(member=applicant).exists()
    assert badge(applicant)["tier"] == "independent"
    assert actions(application=application) == [Action.SUBMITTED, Action.APPROVED]
    (notice,) = notified(applicant, "expert_application_decided")
    assert notice.params["decision"] == "approved"
    assert notice.url.endswith(f"/experts/{applicant.pk}/credentials/#certificate-{certificate.pk}")


def test_brand_staff_approval_needs_the_employment_check_and_labels_the_badge(applicant):
    employer = BrandFactory(name="RoadGrip")
    admin = brand_admin(employer)
    application = submit(applicant, tier="brand_staff", employer=employer)
    with pytest.raises(DomainError) as excinfo:
        services.application_approve(reviewer=admin, application=application, checks=["identity"])
    assert excinfo.value.field == "checks"
    certificate = services.application_approve(
        reviewer=admin, application=application, checks=["identity", "employment"]
    )
    assert certificate.employer == employer
    assert badge(applicant)["tier"] == "brand_staff"
    assert badge(applicant)["employers"] == [
        {"id": employer.pk, "name": "RoadGrip", "slug": employer.slug}
    ]


def test_brand_admin_cannot_review_other_brands_or_other_tiers(applicant):
    employer = BrandFactory()
    other_admin = brand_admin(BrandFactory())
    application = submit(applicant, tier="brand_staff", employer=employer)
    with pytest.raises(AccessDenied):
        services.application_approve(
            reviewer=other_admin, application=application, checks=["employment"]
        )
    independent = submit(MemberFactory(), brands=[employer])
    with pytest.raises(AccessDenied):
        services.application_reject(
            reviewer=brand_admin(employer), application=independent, reason="No."
        )


def test_reviewers_cannot_approve_their_own_application():
    moderator = ModeratorFactory()
    application = submit(moderator)
    with pytest.raises(AccessDenied):
        services.application_approve(
            reviewer=moderator, application=application, checks=["identity"]
        )
    assert badge(moderator) == {}


def test_a_decided_application_cannot_be_decided_again(applicant, reviewer):
    application = submit(applicant)
    services.application_approve(reviewer=reviewer, application=application, checks=["identity"])
    second = ModeratorFactory()
    with pytest.raises(Conflict):
        services.application_approve(reviewer=second, application=application, checks=["identity"])
    with pytest.raises(Conflict):
        services.application_reject(reviewer=second, application=application, reason="Late.")
    assert Certificate.objects.filter(member=applicant).count() == 1
    application.refresh_from_db()
    assert application.status == ExpertApplication.Status.APPROVED


def test_approval_of_a_stale_copy_sees_the_decision_made_meanwhile(applicant, reviewer):
    """Two reviewers open the same page; the second decision reads the locked row."""
    application = submit(applicant)
    stale = ExpertApplication.objects.get(pk=application.pk)
    services.application_reject(reviewer=reviewer, application=application, reason="No proof.")
    with pytest.raises(Conflict):
        services.application_approve(
            reviewer=ModeratorFactory(), application=stale, checks=["identity"]
        )
    assert not Certificate.objects.exists()


@pytest.mark.parametrize(
    ("checks", "field"),
    [([], "checks"), (["identity", "astrology"], "checks")],
)
def test_approve_validates_checks(applicant, reviewer, checks, field):
    application = submit(applicant)
    with pytest.raises(DomainError) as excinfo:
        services.application_approve(reviewer=reviewer, application=application, checks=checks)
    assert excinfo.value.field == field


@pytest.mark.parametrize("days", [-1, 0, 3 * 365 + 2])
def test_approve_validates_the_expiry(applicant, reviewer, days):
    application = submit(applicant)
    with pytest.raises(DomainError) as excinfo:
        services.application_approve(
            reviewer=reviewer,
            application=application,
            checks=["identity"],
            expires_at=timezone.now() + timedelta(days=days),
        )
    assert excinfo.value.field == "expires_at"


def test_approve_with_a_chosen_expiry(applicant, reviewer):
    expiry = timezone.now() + timedelta(days=700)
    certificate = services.application_approve(
        reviewer=reviewer, application=submit(applicant), checks=["identity"], expires_at=expiry
    )
    assert certificate.expires_at == expiry


# --- reject, ask, answer, withdraw ------------------------------------------------------


def test_reject_needs_a_reason_the_applicant_sees(applicant, reviewer):
    application = submit(applicant)
    with pytest.raises(DomainError) as excinfo:
        services.application_reject(reviewer=reviewer, application=application, reason="  ")
    assert excinfo.value.field == "reason"
    services.application_reject(
        reviewer=reviewer, application=application, reason="The licence number is not listed."
    )
    application.refresh_from_db()
    assert application.status == ExpertApplication.Status.REJECTED
    assert application.decision_message == "The licence number is not listed."
    assert not Certificate.objects.exists()
    assert badge(applicant) == {}
    (notice,) = notified(applicant, "expert_application_decided")
    assert notice.params["decision"] == "rejected"
    entry = CertificationLogEntry.objects.get(application=application, action=Action.REJECTED)
    assert entry.actor == reviewer
    assert entry.reason == "The licence number is not listed."


def test_request_info_then_respond_returns_the_application_to_the_queue(applicant, reviewer):
    application = submit(applicant)
    services.application_request_info(
        reviewer=reviewer, application=application, message="Please add your licence."
    )
    application.refresh_from_db()
    assert application.status == ExpertApplication.Status.INFO_REQUESTED
    assert application.decision_message == "Please add your licence."
    (notice,) = notified(applicant, "expert_info_requested")
    assert notice.params["excerpt"] == "Please add your licence."

    services.application_respond(
        applicant=applicant,
        application=application,
        message="Here it is.",
        evidence_uploads=[pdf_upload("licence.pdf")],
    )
    application.refresh_from_db()
    assert application.status == ExpertApplication.Status.SUBMITTED
    assert application.decision_message == ""
    assert application.evidence.count() == 2
    assert actions(application=application) == [
        Action.SUBMITTED,
        Action.INFO_REQUESTED,
        Action.RESUBMITTED,
    ]
    assert len(notified(reviewer, "expert_application_received")) == 2
    services.application_approve(reviewer=reviewer, application=application, checks=["licence"])


def test_respond_only_when_asked_and_only_by_the_applicant(applicant, reviewer):
    application = submit(applicant)
    with pytest.raises(Conflict):
        services.application_respond(applicant=applicant, application=application, message="Hi")
    services.application_request_info(reviewer=reviewer, application=application, message="?")
    with pytest.raises(NotFound):
        services.application_respond(
            applicant=MemberFactory(), application=application, message="Me too"
        )


def test_withdraw_ends_the_application_and_removes_its_files(
    applicant, django_capture_on_commit_callbacks
):
    application = submit(applicant)
    stored = application.evidence.get().file
    assert stored.storage.exists(stored.name)
    with django_capture_on_commit_callbacks(execute=True):
        services.application_withdraw(applicant=applicant, application=application)
    application.refresh_from_db()
    assert application.status == ExpertApplication.Status.WITHDRAWN
    assert not application.evidence.exists()
    assert not stored.storage.exists(stored.name)
    assert actions(application=application) == [Action.SUBMITTED, Action.WITHDRAWN]
    with pytest.raises(Conflict):
        services.application_withdraw(applicant=applicant, application=application)
    submit(applicant)  # may apply again


def test_only_one_open_application_at_a_time(applicant):
    submit(applicant)
    with pytest.raises(Conflict):
        submit(applicant)
    assert ExpertApplication.objects.filter(applicant=applicant).count() == 1


# --- bad input --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"categories": [], "brands": []}, "categories"),
        ({"tier": "brand_staff", "employer": None}, "employer"),
        ({"tier": "guru"}, "tier"),
        ({"links": ["javascript:alert(1)"]}, "links"),
        ({"links": ["JAVASCRIPT:alert(1)//https://x"]}, "links"),
        ({"links": ["ftp://example.org/file"]}, "links"),
        ({"links": ["not a url"]}, "links"),
        ({"links": [f"https://example.org/{n}" for n in range(6)]}, "links"),
        ({"conflict_of_interest": "   "}, "conflict_of_interest"),
        ({"headline": ""}, "headline"),
        ({"credentials": ""}, "credentials"),
        ({"evidence_uploads": []}, "evidence"),
    ],
)
def test_submit_refuses_bad_input(applicant, overrides, field):
    with pytest.raises(DomainError) as excinfo:
        submit(applicant, **overrides)
    assert excinfo.value.field == field
    assert not ExpertApplication.objects.exists()


def test_independent_tier_cannot_hide_an_employer(applicant):
    with pytest.raises(DomainError) as excinfo:
        submit(applicant, tier="independent", employer=BrandFactory())
    assert excinfo.value.field == "employer"


def test_too_many_evidence_files(applicant, settings):
    settings.EXPERT_EVIDENCE_MAX_FILES = 2
    with pytest.raises(DomainError) as excinfo:
        submit(applicant, evidence_uploads=[pdf_upload() for _ in range(3)])
    assert excinfo.value.code == "too_many_files"


def test_links_are_cleaned(applicant):
    application = submit(
        applicant,
        links=["", "  https://example.org/a ", "https://example.org/a", "http://example.org/b"],
    )
    assert application.links == ["https://example.org/a", "http://example.org/b"]


def test_apply_is_rate_limited(applicant, reviewer, settings):
    settings.WRITE_RATE_LIMITS = {**settings.WRITE_RATE_LIMITS, "expert_apply": (1, 3600)}
    application = submit(applicant)
    services.application_withdraw(applicant=applicant, application=application)
    with pytest.raises(RateLimited):
        submit(applicant)


def test_closed_accounts_cannot_apply():
    with pytest.raises(AccessDenied):
        submit(MemberFactory(is_active=False))


# --- expiry and renewal -----------------------------------------------------------------


def test_expire_marks_past_certificates_logs_and_refreshes_badges():
    lapsed = CertificateFactory()
    current = CertificateFactory()
    Certificate.objects.filter(pk=lapsed.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    assert badge(lapsed.member)  # still cached until the run
    assert services.certificates_expire() == 1
    lapsed.refresh_from_db()
    assert lapsed.status == Certificate.Status.EXPIRED
    assert badge(lapsed.member) == {}
    assert badge(current.member)["tier"] == "independent"
    assert actions(certificate=lapsed) == [Action.EXPIRED]
    assert services.certificates_expire() == 0  # idempotent


def test_expire_keeps_the_badge_of_another_current_certificate():
    first = CertificateFactory(tier="practitioner")
    CertificateFactory(member=first.member, tier="independent")
    Certificate.objects.filter(pk=first.pk).update(expires_at=timezone.now())
    services.certificates_expire()
    assert badge(first.member)["tier"] == "independent"


def test_expiring_certificates_are_reminded_once():
    now = timezone.now()
    soon = CertificateFactory(expires_at=now + timedelta(days=20))
    later = CertificateFactory(expires_at=now + timedelta(days=60))
    renewing = CertificateFactory(expires_at=now + timedelta(days=10))
    submit(renewing.member, renewal_of=renewing)
    services.certificates_expire(now=now)
    services.certificates_expire(now=now + timedelta(hours=12))
    services.certificates_expire(now=now + timedelta(days=1))
    (notice,) = notified(soon.member, "expert_certificate_expiring")
    assert notice.params["date"] == timezone.localtime(soon.expires_at).date().isoformat()
    assert not notified(later.member, "expert_certificate_expiring")
    assert not notified(renewing.member, "expert_certificate_expiring")


def test_expire_command_prints_the_count(capsys):
    lapsed = CertificateFactory()
    Certificate.objects.filter(pk=lapsed.pk).update(expires_at=timezone.now())
    call_command("expire_certificates")
    assert "1 certificate(s) expired." in capsys.readouterr().out


def test_renewal_extends_the_same_certificate_and_keeps_since(applicant, reviewer):
    first = services.application_approve(
        reviewer=reviewer, application=submit(applicant), checks=["identity"]
    )
    since = timezone.now() - timedelta(days=400)
    Certificate.objects.filter(pk=first.pk).update(
        first_issued_at=since, expires_at=timezone.now() - timedelta(days=1)
    )
    services.certificates_expire()
    assert badge(applicant) == {}
    other_field = CategoryFactory()
    application = submit(applicant, renewal_of=first, categories=[other_field])
    renewed = services.application_approve(
        reviewer=reviewer, application=application, checks=["identity", "qualification"]
    )
    assert renewed.pk == first.pk
    assert Certificate.objects.filter(member=applicant).count() == 1
    renewed.refresh_from_db()
    assert renewed.status == Certificate.Status.ACTIVE
    assert renewed.first_issued_at == since
    assert renewed.expires_at > timezone.now() + timedelta(days=360)
    assert renewed.checks == ["identity", "qualification"]
    assert list(renewed.categories.all()) == [other_field]
    assert renewed.application == application
    assert badge(applicant)["tier"] == "independent"
    assert actions(certificate=renewed)[-1] == Action.RENEWED


def test_renewal_must_be_of_ones_own_certificate_not_revoked_same_tier(applicant, reviewer):
    foreign = CertificateFactory()
    with pytest.raises(NotFound):
        submit(applicant, renewal_of=foreign)
    own = CertificateFactory(member=applicant)
    with pytest.raises(DomainError) as excinfo:
        submit(applicant, renewal_of=own, tier="practitioner")
    assert excinfo.value.field == "tier"
    services.certificate_revoke(actor=reviewer, certificate=own, reason="Forged diploma.")
    with pytest.raises(DomainError) as excinfo:
        submit(applicant, renewal_of=own)
    assert excinfo.value.field == "renewal_of"


def test_renewal_revoked_meanwhile_cannot_be_approved(applicant, reviewer):
    own = CertificateFactory(member=applicant)
    application = submit(applicant, renewal_of=own)
    services.certificate_revoke(actor=reviewer, certificate=own, reason="Forged diploma.")
    with pytest.raises(Conflict):
        services.application_approve(
            reviewer=reviewer, application=application, checks=["identity"]
        )
    own.refresh_from_db()
    assert own.status == Certificate.Status.REVOKED


def test_only_active_and_expired_certificates_are_renewable(applicant, reviewer):
    active = CertificateFactory(member=applicant)
    expired = CertificateFactory(member=applicant)
    suspended = CertificateFactory(member=applicant)
    revoked = CertificateFactory(member=applicant)
    CertificateFactory()  # someone else's
    Certificate.objects.filter(pk=expired.pk).update(status=Certificate.Status.EXPIRED)
    services.certificate_suspend(actor=reviewer, certificate=suspended, reason="Checking.")
    services.certificate_revoke(actor=reviewer, certificate=revoked, reason="Forged.")
    renewable = certificates_renewable(member=applicant)
    assert set(renewable) == {active, expired}


def test_a_suspended_certificate_cannot_be_renewed(applicant, reviewer):
    """Renewal would set it active again: the suspension would end without a reviewer
    deciding so and without a log entry. A reviewer reinstates it first."""
    own = CertificateFactory(member=applicant)
    services.certificate_suspend(actor=reviewer, certificate=own, reason="Under review.")
    with pytest.raises(Conflict) as excinfo:
        submit(applicant, renewal_of=own)  # a stale copy, still "active" in memory
    assert excinfo.value.field == "renewal_of"
    assert excinfo.value.code == "suspended"
    assert "reinstate" in str(excinfo.value.message)
    assert not ExpertApplication.objects.exists()
    services.certificate_reinstate(actor=reviewer, certificate=own, reason="Cleared.")
    assert submit(applicant, renewal_of=own).renewal_of == own


def test_renewal_suspended_meanwhile_cannot_be_approved(applicant, reviewer):
    own = CertificateFactory(member=applicant)
    application = submit(applicant, renewal_of=own)
    services.certificate_suspend(actor=reviewer, certificate=own, reason="Under review.")
    with pytest.raises(Conflict) as excinfo:
        services.application_approve(
            reviewer=reviewer, application=application, checks=["identity"]
        )
    assert excinfo.value.code == "suspended"
    assert "reinstate" in str(excinfo.value.message).lower()
    own.refresh_from_db()
    assert own.status == Certificate.Status.SUSPENDED
    assert own.status_reason == "Under review."
    assert badge(applicant) == {}
    application.refresh_from_db()
    assert application.is_open  # still waiting: reinstate, then approve (or reject)
    assert actions(certificate=own) == [Action.SUBMITTED, Action.SUSPENDED]
    services.certificate_reinstate(actor=reviewer, certificate=own, reason="Cleared.")
    services.application_approve(reviewer=reviewer, application=application, checks=["identity"])
    assert actions(certificate=own)[-2:] == [Action.REINSTATED, Action.RENEWED]


# --- suspend, reinstate, revoke ---------------------------------------------------------


def test_suspend_reinstate_revoke_with_reasons_badges_and_notices(reviewer):
    certificate = CertificateFactory()
    expert = certificate.member
    with pytest.raises(DomainError):
        services.certificate_suspend(actor=reviewer, certificate=certificate, reason="")

    services.certificate_suspend(actor=reviewer, certificate=certificate, reason="Under review.")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.SUSPENDED
    assert certificate.status_reason == "Under review."
    assert badge(expert) == {}
    with pytest.raises(Conflict):
        services.certificate_suspend(actor=reviewer, certificate=certificate, reason="Again")

    services.certificate_reinstate(actor=reviewer, certificate=certificate, reason="Cleared.")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.ACTIVE
    assert badge(expert)["tier"] == "independent"
    with pytest.raises(Conflict):
        services.certificate_reinstate(actor=reviewer, certificate=certificate, reason="Again")

    services.certificate_revoke(actor=reviewer, certificate=certificate, reason="Forged diploma.")
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.REVOKED
    assert badge(expert) == {}
    for change in (services.certificate_reinstate, services.certificate_revoke):
        with pytest.raises(Conflict):
            change(actor=reviewer, certificate=certificate, reason="Revoked is final.")
    assert actions(certificate=certificate) == [
        Action.SUSPENDED,
        Action.REINSTATED,
        Action.REVOKED,
    ]
    notices = notified(expert, "expert_certificate_changed")
    assert sorted(n.params["change"] for n in notices) == ["reinstated", "revoked", "suspended"]
    assert {n.params["reason"] for n in notices} == {"Under review.", "Cleared.", "Forged diploma."}


def test_reinstate_after_expiry_is_refused(reviewer):
    certificate = CertificateFactory()
    services.certificate_suspend(actor=reviewer, certificate=certificate, reason="Check.")
    Certificate.objects.filter(pk=certificate.pk).update(expires_at=timezone.now())
    with pytest.raises(Conflict):
        services.certificate_reinstate(actor=reviewer, certificate=certificate, reason="Ok.")


def test_certificate_managers(reviewer):
    employer = BrandFactory()
    staff_certificate = CertificateFactory(tier="brand_staff", employer=employer)
    independent = CertificateFactory()
    own = CertificateFactory(member=reviewer)
    admin = brand_admin(employer)
    services.certificate_suspend(actor=admin, certificate=staff_certificate, reason="Left us.")
    for actor, certificate in [
        (admin, independent),
        (brand_admin(BrandFactory()), staff_certificate),
        (MemberFactory(), independent),
        (reviewer, own),
    ]:
        with pytest.raises(AccessDenied):
            services.certificate_revoke(actor=actor, certificate=certificate, reason="No.")


def test_badge_names_every_employer_of_brand_staff():
    first = CertificateFactory(tier="brand_staff", employer=BrandFactory(name="Alpha"))
    reviewer = ModeratorFactory()
    application = submit(first.member, tier="brand_staff", employer=BrandFactory(name="Beta"))
    services.application_approve(reviewer=reviewer, application=application, checks=["employment"])
    assert [e["name"] for e in badge(first.member)["employers"]] == ["Alpha", "Beta"]


# --- challenges -------------------------------------------------------------------------


def test_challenge_goes_to_the_reviewers_and_not_to_the_expert():
    employer = BrandFactory()
    certificate = CertificateFactory(tier="brand_staff", employer=employer)
    moderator = ModeratorFactory()
    admin = brand_admin(employer)
    challenger = MemberFactory(display_name="Bob")
    challenge = services.challenge_submit(
        challenger=challenger,
        certificate=certificate,
        statement="They left the company in 2023.",
        evidence_uploads=[image_upload("screenshot.png", fmt="PNG")],
    )
    assert challenge.status == CredentialChallenge.Status.OPEN
    assert challenge.evidence.get().kind == "image"
    for reviewer in (moderator, admin):
        (notice,) = notified(reviewer, "expert_challenge_received")
        assert notice.params == {"actor": "Bob", "expert": certificate.member.public_name}
    assert not Notification.objects.filter(recipient=certificate.member).exists()
    assert actions(challenge=challenge) == [Action.CHALLENGED]


def test_challenge_bad_cases():
    certificate = CertificateFactory()
    with pytest.raises(AccessDenied):
        services.challenge_submit(
            challenger=certificate.member,
            certificate=certificate,
            statement="Me?",
            evidence_uploads=[pdf_upload()],
        )
    challenger = MemberFactory()
    with pytest.raises(DomainError) as excinfo:
        services.challenge_submit(
            challenger=challenger, certificate=certificate, statement="Fake.", evidence_uploads=[]
        )
    assert excinfo.value.field == "evidence"
    with pytest.raises(DomainError) as excinfo:
        services.challenge_submit(
            challenger=challenger,
            certificate=certificate,
            statement=" ",
            evidence_uploads=[pdf_upload()],
        )
    assert excinfo.value.field == "statement"
    services.challenge_submit(
        challenger=challenger,
        certificate=certificate,
        statement="Fake.",
        evidence_uploads=[pdf_upload()],
    )
    with pytest.raises(Conflict):
        services.challenge_submit(
            challenger=challenger,
            certificate=certificate,
            statement="Fake, again.",
            evidence_uploads=[pdf_upload()],
        )
    Certificate.objects.filter(pk=certificate.pk).update(status=Certificate.Status.REVOKED)
    certificate.refresh_from_db()
    with pytest.raises(Conflict):
        services.challenge_submit(
            challenger=MemberFactory(),
            certificate=certificate,
            statement="Fake.",
            evidence_uploads=[pdf_upload()],
        )


def test_challenge_upheld_with_revocation(reviewer):
    certificate = CertificateFactory()
    challenger = MemberFactory()
    challenge = services.challenge_submit(
        challenger=challenger,
        certificate=certificate,
        statement="Diploma mill.",
        evidence_uploads=[pdf_upload()],
    )
    services.challenge_resolve(
        reviewer=reviewer,
        challenge=challenge,
        uphold=True,
        resolution="The university does not exist.",
        then="revoke",
    )
    challenge.refresh_from_db()
    certificate.refresh_from_db()
    assert challenge.status == CredentialChallenge.Status.UPHELD
    assert challenge.resolved_by == reviewer
    assert certificate.status == Certificate.Status.REVOKED
    assert badge(certificate.member) == {}
    (decided,) = notified(challenger, "expert_challenge_decided")
    assert decided.params["decision"] == "upheld"
    (changed,) = notified(certificate.member, "expert_certificate_changed")
    assert changed.params["change"] == "revoked"
    assert actions(certificate=certificate) == [
        Action.CHALLENGED,
        Action.CHALLENGE_UPHELD,
        Action.REVOKED,
    ]
    with pytest.raises(Conflict):
        services.challenge_resolve(
            reviewer=reviewer, challenge=challenge, uphold=False, resolution="Changed my mind."
        )


def test_challenge_upheld_with_suspension(reviewer):
    certificate = CertificateFactory()
    challenge = services.challenge_submit(
        challenger=MemberFactory(),
        certificate=certificate,
        statement="Undeclared sponsorship.",
        evidence_uploads=[pdf_upload()],
    )
    services.challenge_resolve(
        reviewer=reviewer, challenge=challenge, uphold=True, resolution="Asked.", then="suspend"
    )
    certificate.refresh_from_db()
    assert certificate.status == Certificate.Status.SUSPENDED
    assert badge(certificate.member) == {}


def test_challenge_dismissed_leaves_the_certificate(reviewer):
    certificate = CertificateFactory()
    challenger = MemberFactory()
    challenge = services.challenge_submit(
        challenger=challenger,
        certificate=certificate,
        statement="I disagree with their answer.",
        evidence_uploads=[pdf_upload()],
    )
    with pytest.raises(DomainError) as excinfo:
        services.challenge_resolve(
            reviewer=reviewer, challenge=challenge, uphold=False, resolution="No.", then="revoke"
        )
    assert excinfo.value.field == "then"
    services.challenge_resolve(
        reviewer=reviewer, challenge=challenge, uphold=False, resolution="A disagreement."
    )
    challenge.refresh_from_db()
    certificate.refresh_from_db()
    assert challenge.status == CredentialChallenge.Status.DISMISSED
    assert certificate.status == Certificate.Status.ACTIVE
    assert badge(certificate.member)["tier"] == "independent"
    (decided,) = notified(challenger, "expert_challenge_decided")
    assert decided.params["decision"] == "dismissed"
    assert not notified(certificate.member, "expert_certificate_changed")


def test_the_challenged_expert_cannot_resolve_the_challenge():
    moderator_expert = ModeratorFactory()
    certificate = CertificateFactory(member=moderator_expert)
    challenge = services.challenge_submit(
        challenger=MemberFactory(),
        certificate=certificate,
        statement="Fake.",
        evidence_uploads=[pdf_upload()],
    )
    assert not notified(moderator_expert, "expert_challenge_received")
    with pytest.raises(AccessDenied):
        services.challenge_resolve(
            reviewer=moderator_expert, challenge=challenge, uphold=False, resolution="Fine."
        )


def test_failed_consequence_rolls_the_resolution_back(reviewer):
    certificate = CertificateFactory()
    challenge = services.challenge_submit(
        challenger=MemberFactory(),
        certificate=certificate,
        statement="Fake.",
        evidence_uploads=[pdf_upload()],
    )
    services.certificate_suspend(actor=reviewer, certificate=certificate, reason="Checking.")
    with pytest.raises(Conflict):
        services.challenge_resolve(
            reviewer=reviewer, challenge=challenge, uphold=True, resolution="Yes.", then="suspend"
        )
    challenge.refresh_from_db()
    assert challenge.status == CredentialChallenge.Status.OPEN


def test_revoking_unmarks_the_answers_written_under_the_certificate(reviewer, client):
    """Revoked credentials did not hold: answers given under them are no longer expert
    answers anywhere (page, "answered by an expert" filter); suspension keeps them."""
    from experts.models import Answer
    from experts.services import questions as qa
    from tests.factories import QuestionFactory

    certificate = CertificateFactory()
    expert = certificate.member
    question = QuestionFactory()
    answer = qa.answer_create(author=expert, question=question, body="Trust me.")
    assert answer.expert_tier == certificate.tier

    services.certificate_suspend(actor=reviewer, certificate=certificate, reason="Checking.")
    assert Answer.objects.get(pk=answer.pk).expert_tier == certificate.tier

    services.certificate_revoke(actor=reviewer, certificate=certificate, reason="Forged licence.")
    answer.refresh_from_db()
    assert answer.expert_tier == ""
    assert answer.expert_certificate_id == certificate.pk  # the history stays
    html = client.get(question.get_absolute_url()).content.decode()
    assert "Expert answer" not in html
    listed = client.get("/questions/", {"expert_answered": "on"}).content.decode()
    assert question.title not in listed

"""A member applies to be a certified expert with evidence files, a site moderator
approves her in the Wagtail admin's review queue, another member asks her a directed
question, she answers it with the expert badge and he accepts the answer; the evidence
stays private throughout. Three people, three browser contexts, real Chromium."""

import re

import pytest
from playwright.sync_api import Browser, Page, expect

from community.members.models import Notification
from experts.models import Answer, Certificate, EvidenceFile, ExpertApplication, Question
from tests.experts.factories_certification import MINIMAL_PDF
from tests.factories import CategoryFactory, MemberFactory, ModeratorFactory, image_upload

# serialized_rollback: the flush after a transactional test would otherwise erase what
# data migrations created (home page, groups) for the tests that run after it.
pytestmark = pytest.mark.django_db(transaction=True, serialized_rollback=True)

PASSWORD = "correct-horse-battery"  # MemberFactory's password
# The mark of an answer written by a certified expert, naming the tier.
EXPERT_BADGE = re.compile(r"Expert answer\b.*\bIndependent expert")


def _sign_in(browser: Browser, live_server, member) -> Page:
    """A new browser context in which `member` signs in through the login form."""
    context = browser.new_context(base_url=live_server.url)
    page = context.new_page()
    page.goto("/accounts/login/")
    page.get_by_label("Email").fill(member.email)
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Sign In").click()
    expect(page.get_by_role("link", name=member.display_name, exact=True)).to_be_visible()
    return page


def test_apply_approve_ask_answer_and_accept(browser: Browser, live_server, tmp_path):
    field = CategoryFactory(name="Skin care", slug="skin-care")
    ada = MemberFactory(display_name="Ada", email="ada@example.com")
    moderator = ModeratorFactory(display_name="Mo", email="mo@example.com")
    bo = MemberFactory(display_name="Bo", email="bo@example.com")
    diploma = tmp_path / "diploma.pdf"
    diploma.write_bytes(MINIMAL_PDF)
    licence = tmp_path / "licence.jpg"
    licence.write_bytes(image_upload("licence.jpg", size=(600, 400)).read())

    # 1. Ada applies as an independent expert in skin care, with two evidence files.
    ada_page = _sign_in(browser, live_server, ada)
    ada_page.goto("/experts/apply/")
    expect(ada_page.get_by_role("heading", name="Apply to be a certified expert")).to_be_visible()
    ada_page.get_by_role("radio", name="Independent expert").check()
    ada_page.get_by_role("checkbox", name="Skin care").check()
    ada_page.get_by_label("Headline").fill("Dermatologist, 12 years in practice")
    ada_page.get_by_label(re.compile("^Credentials")).fill(
        "MD, board-certified dermatologist; licence 12345 in the medical register."
    )
    ada_page.get_by_label("Links").fill("https://example.org/people/ada")
    ada_page.get_by_label("Conflict-of-interest statement").fill("I have no ties to any brand.")
    ada_page.get_by_label("Evidence").set_input_files([str(diploma), str(licence)])
    ada_page.get_by_role("button", name="Send application").click()
    expect(ada_page.get_by_text("Your application is with the reviewers")).to_be_visible()

    application = ExpertApplication.objects.get(applicant=ada)
    assert application.status == ExpertApplication.Status.SUBMITTED
    evidence = list(EvidenceFile.objects.filter(application=application).order_by("pk"))
    assert [row.kind for row in evidence] == [EvidenceFile.Kind.PDF, EvidenceFile.Kind.IMAGE]

    ada_page.goto("/experts/applications/")
    card = ada_page.locator("article.expert-application")
    expect(card).to_have_count(1)
    expect(card.get_by_role("link", name=re.compile("Dermatologist"))).to_be_visible()
    expect(card.locator(".application-status")).to_have_text("Waiting for review")
    expect(card.get_by_text("Skin care")).to_be_visible()
    expect(card.get_by_text("2 files")).to_be_visible()

    # 2. A site moderator opens the review queue in the Wagtail admin and approves.
    mo_page = _sign_in(browser, live_server, moderator)
    mo_page.goto("/admin/experts/")
    expect(mo_page.get_by_role("heading", name="Expert applications")).to_be_visible()
    queue = mo_page.get_by_role("table")
    expect(queue.get_by_text("Dermatologist, 12 years in practice")).to_be_visible()
    queue.get_by_role("link", name=re.compile(r"^Ada\b")).click()
    expect(mo_page).to_have_url(re.compile(rf"/admin/experts/applications/{application.pk}/$"))
    # The reviewer can open the evidence (the access check lets reviewers through).
    evidence_links = mo_page.get_by_role("region", name="Evidence").get_by_role("link")
    expect(evidence_links).to_have_count(2)
    pdf_url = f"/experts/evidence/{evidence[0].pk}/"
    assert mo_page.request.get(pdf_url).status == 200
    mo_page.get_by_role("checkbox", name="Identity").check()
    mo_page.get_by_role("checkbox", name="Degree or qualification").check()
    mo_page.get_by_role("checkbox", name="Licence in a public register").check()
    mo_page.get_by_role("checkbox", name="Conflict-of-interest statement").check()
    mo_page.get_by_label("Note for the reviewers").fill("Register entry checked by phone.")
    mo_page.get_by_role("button", name="Approve and certify").click()
    expect(mo_page.get_by_text(re.compile(r"\bAda\b.* is certified\."))).to_be_visible()
    expect(mo_page.get_by_text("This application is decided")).to_be_visible()

    application.refresh_from_db()
    assert application.status == ExpertApplication.Status.APPROVED
    certificate = Certificate.objects.get(member=ada)
    assert certificate.status == Certificate.Status.ACTIVE
    assert certificate.is_current
    assert certificate.tier == "independent"
    assert list(certificate.categories.all()) == [field]
    assert set(certificate.checks) == {"identity", "qualification", "licence", "conflicts"}

    # 3. Bo finds Ada's expert profile and asks her a question; her evidence stays
    # hidden from him (404, as if it did not exist).
    bo_page = _sign_in(browser, live_server, bo)
    for row in evidence:
        response = bo_page.request.get(f"/experts/evidence/{row.pk}/")
        assert response.status in (403, 404)
        assert response.body()[:5] != b"%PDF-"
    response = bo_page.goto(pdf_url)
    assert response is not None and response.status == 404

    # Her public credentials show what was verified, and link no evidence.
    bo_page.goto(f"/experts/{ada.pk}/credentials/")
    public = bo_page.locator(f"#certificate-{certificate.pk}")
    expect(public.get_by_role("heading", name=re.compile("Independent expert"))).to_be_visible()
    expect(public.locator(".certificate-status")).to_have_text("Current")
    expect(public.get_by_text("Skin care")).to_be_visible()
    expect(public.get_by_text("Licence in a public register")).to_be_visible()
    expect(bo_page.locator("a[href*='/experts/evidence/']")).to_have_count(0)
    bo_page.get_by_role("link", name="Expert profile").click()
    expect(bo_page.get_by_role("heading", name="Ada")).to_be_visible()
    bo_page.get_by_role("link", name=re.compile(r"^Ask Ada\b.* a question$")).click()
    expect(bo_page).to_have_url(re.compile(rf"/questions/ask/\?expert={ada.pk}$"))
    expect(bo_page.get_by_text("Asking")).to_be_visible()
    bo_page.get_by_label("Your question").fill("Is a mineral sunscreen enough for sensitive skin?")
    bo_page.get_by_label("Details").fill("My skin reacts to most **chemical** filters.")
    bo_page.get_by_label("Field").select_option(label="Skin care")
    bo_page.get_by_role("button", name="Send my question").click()
    expect(bo_page.get_by_text(re.compile(r"Your question is sent to Ada\b"))).to_be_visible()
    question = Question.objects.get(author=bo)
    assert question.directed_to_id == ada.pk
    assert question.category_id == field.pk
    question_url = question.get_absolute_url()
    expect(bo_page).to_have_url(re.compile(re.escape(question_url) + "$"))

    # 4. Ada finds the question among the questions for her and answers it: the answer
    # carries the expert badge.
    assert Notification.objects.filter(
        recipient=ada, kind="question_directed", url=question_url, read_at=None
    ).exists()
    ada_page.goto("/questions/for-me/")
    expect(ada_page.locator(".nav-notifications-unread")).to_be_visible()
    row = ada_page.locator(f"#question-{question.pk}")
    expect(ada_page.get_by_text("Asked to you")).to_be_visible()
    row.get_by_role("link", name="Is a mineral sunscreen enough for sensitive skin?").click()
    expect(ada_page.get_by_text("This question was asked to you.")).to_be_visible()
    ada_page.get_by_label("Your answer").fill(
        "Yes: zinc oxide is well tolerated. Patch-test it on your arm first."
    )
    ada_page.get_by_role("button", name="Publish my answer").click()
    expect(ada_page.get_by_text("Thank you! Your answer is published.")).to_be_visible()
    answer = Answer.objects.get(question=question, author=ada)
    assert answer.expert_tier == "independent"
    assert answer.expert_certificate_id == certificate.pk
    answer_card = ada_page.locator(f"#answer-{answer.pk}")
    expect(answer_card.locator(".badge.expert-answer")).to_have_text(EXPERT_BADGE)

    # 5. Bo sees the expert's answer and accepts it.
    bo_page.goto(question_url)
    bo_card = bo_page.locator(f"#answer-{answer.pk}")
    expect(bo_card.locator(".badge.expert-answer")).to_have_text(EXPERT_BADGE)
    bo_card.get_by_role("button", name="Accept this answer").click()
    expect(bo_page.get_by_text("You accepted this answer.")).to_be_visible()
    accepted = bo_page.locator(f"#answer-{answer.pk}")
    expect(accepted).to_have_class(re.compile(r"\banswer-accepted\b"))
    expect(accepted.get_by_text("✓ Accepted answer")).to_be_visible()
    expect(accepted.get_by_role("button", name="Accepted ✓ (undo)")).to_be_visible()
    question.refresh_from_db()
    assert question.accepted_answer_id == answer.pk

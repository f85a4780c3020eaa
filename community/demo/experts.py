# ruff: noqa: RUF001
"""Demo experts: certified through the real workflow (apply with evidence, approve),
with directed and community questions, answers, an accepted answer promoted to the
knowledge base, an endorsement, follows, and one application waiting in the queue.

Idempotent: nothing is added when the demo expert already holds a certificate."""

from django.core.files.uploadedfile import SimpleUploadedFile

from brand_clubs.models import Brand, Category, Product
from community.members.models import Member
from community.members.services import follow_create
from community.reviews.models import Review
from experts.models import Certificate, ExpertApplication, Tier
from experts.services.certification import application_approve, application_submit
from experts.services.endorsements import endorsement_create
from experts.services.knowledge import answer_promote
from experts.services.questions import answer_accept, answer_create, question_ask, vote_cast


def _demo_pdf(title: str) -> SimpleUploadedFile:
    """A small, valid one-page PDF standing in for a scanned credential."""
    text = title.encode("latin-1", "replace")
    stream = b"BT /F1 18 Tf 72 720 Td (" + text + b") Tj ET"
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length " + str(len(stream)).encode() + b" >>\nstream\n" + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]
    body = b"%PDF-1.4\n"
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(body))
        body += str(number).encode() + b" 0 obj\n" + obj + b"\nendobj\n"
    xref = len(body)
    body += b"xref\n0 " + str(len(objects) + 1).encode() + b"\n0000000000 65535 f \n"
    body += b"".join(f"{offset:010d} 00000 n \n".encode() for offset in offsets)
    body += b"trailer\n<< /Size " + str(len(objects) + 1).encode() + b" /Root 1 0 R >>\n"
    body += b"startxref\n" + str(xref).encode() + b"\n%%EOF\n"
    return SimpleUploadedFile("credential.pdf", body, content_type="application/pdf")


def _certify(
    *,
    applicant,
    reviewer,
    tier,
    headline,
    credentials,
    categories=(),
    brands=(),
    employer=None,
    checks,
) -> Certificate:
    application = application_submit(
        applicant=applicant,
        tier=tier,
        employer=employer,
        categories=categories,
        brands=brands,
        headline=headline,
        credentials=credentials,
        links=["https://example.com/register"],
        conflict_of_interest="None."
        if tier != Tier.BRAND_STAFF
        else f"I work for {employer.name}; everything I write about it is labelled.",
        evidence_uploads=[_demo_pdf(headline)],
    )
    return application_approve(
        reviewer=reviewer, application=application, checks=checks, note="Demo data."
    )


def demo_experts_ensure(*, accounts: dict[str, Member], members: list[int]) -> int:
    """Returns the number of certificates created (0 when the demo experts exist)."""
    expert = accounts["expert"]
    if Certificate.objects.filter(member=expert).exists():
        return 0
    admin, demo, staff = accounts["admin"], accounts["demo"], accounts["staff"]
    tyres = Category.objects.get(slug="tyres")
    roadgrip = Brand.objects.get(slug="roadgrip")
    _certify(
        applicant=expert,
        reviewer=admin,
        tier=Tier.INDEPENDENT,
        headline="Tyre engineer, 15 years of wet-grip testing at a university lab",
        credentials="PhD in vehicle dynamics; leads the tyre test programme of a public lab.",
        categories=[tyres],
        checks=["identity", "qualification", "institution", "conflicts"],
    )
    _certify(
        applicant=staff,
        reviewer=admin,
        tier=Tier.BRAND_STAFF,
        employer=roadgrip,
        headline="Product engineer at RoadGrip",
        credentials="Works on RoadGrip's all-season range.",
        brands=[roadgrip],
        checks=["identity", "employment", "conflicts"],
    )
    # One application waiting in the admin queue.
    waiting = Member.objects.get(pk=members[12])
    if not ExpertApplication.objects.filter(applicant=waiting).exists():
        application_submit(
            applicant=waiting,
            tier=Tier.PRACTITIONER,
            categories=[Category.objects.get(slug="coffee-machines")],
            headline="Barista trainer, 8 years behind the bar",
            credentials="Runs barista courses; certified by a coffee association.",
            links=["https://example.com/barista-guild/members"],
            conflict_of_interest="I sometimes get machines on loan from brands.",
            evidence_uploads=[_demo_pdf("Barista certificate")],
        )

    sport = Product.objects.get(brand=roadgrip, slug="sport-5")
    asker = Member.objects.get(pk=members[1])
    directed = question_ask(
        author=demo,
        title="How much tread depth do I need for wet motorways?",
        body="My Sport 5 tyres are at 3 mm. Is that still safe in heavy rain at 120 km/h?",
        product=sport,
        directed_to=expert,
    )
    answer = answer_create(
        author=expert,
        question=directed,
        body=(
            "The legal minimum is 1.6 mm, but aquaplaning resistance drops fast below "
            "**3 mm**. At 3 mm you are fine; plan new tyres before 2.5 mm and slow down "
            "in standing water."
        ),
    )
    vote_cast(voter=asker, target=answer, value=1)
    answer_accept(member=demo, answer=answer)
    answer_promote(moderator=admin, answer=answer)

    community = question_ask(
        author=asker,
        title="Do the All-Season 4 tyres need a different pressure in winter?",
        body="The door sticker only gives one value.",
        product=Product.objects.get(brand=roadgrip, slug="all-season-4"),
    )
    answer_create(
        author=staff,
        question=community,
        body="Use the sticker value, checked cold; add 0.2 bar for long loaded trips.",
    )
    question_ask(
        author=Member.objects.get(pk=members[2]),
        title="雨天骑行用什么轮胎比较好？",
        body="通勤每天二十公里，经常下雨。",
        category=tyres,
    )

    review = (
        Review.objects.filter(product__brand=roadgrip, status=Review.Status.PUBLISHED)
        .exclude(author__in=[expert, staff])
        .order_by("pk")
        .first()
    )
    if review is not None:
        endorsement_create(
            expert=expert,
            review=review,
            note="The wet-braking figures match what we measured on this tyre.",
        )
    follow_create(follower=demo, followed=expert)
    return Certificate.objects.filter(member__in=[expert, staff]).count()

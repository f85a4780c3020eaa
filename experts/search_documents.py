"""Questions, answers and experts in search.

- question: the title, its details and the text of its visible answers (so a question
  is found by what was answered), about its field and product. Hidden questions leave
  the index, like hidden reviews.
- answer: the question's title over the answer's text, with the author's name and
  expert label as context; not indexed when the answer or its question is hidden.
- expert: one document per ExpertProfile whose member holds a current certificate
  (active, not past its expiry): name, headlines, fields, tier labels ("Brand employee ·
  <brand>" for brand staff) and the profile's about text. A member whose last
  certificate ends drops out at the next change of their certificates.

Labels are computed from the certificate rows, not from Member.expert_badge: a
certificate's post_save arrives before the service refreshes the badge. They are
indexed in every site language, so "Brand employee" and its Chinese both find them.
Upkeep: the dependencies below (search.signals) and experts/signals.py (certificate
fields, member names, knowledge-base pages)."""

import html

from django.conf import settings
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.urls import reverse
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.translation import gettext_lazy as _

from brand_clubs.models import Brand, Category, Product
from community.members import badges
from community.text import detect_language
from experts.models import (
    Answer,
    AnswerPhoto,
    Certificate,
    ExpertProfile,
    Question,
    Tier,
    Vote,
)
from experts.services.access import current_certificates_q
from experts.services.badges import answer_snapshot_label
from search.documents import PUBLIC, DocumentType, IndexDocument
from search.registry import register

# A question's document carries its answers' text up to this size: enough to find it by
# what was answered, bounded so that a question with hundreds of answers stays small.
QUESTION_BODY_MAX_CHARS = 60_000
TIER_ORDER = {Tier.INDEPENDENT: 0, Tier.PRACTITIONER: 1, Tier.BRAND_STAFF: 2}


def plain_text(rendered_html: str) -> str:
    """What a reader sees of stored HTML: no tags, entities decoded."""
    return html.unescape(strip_tags((rendered_html or "").replace("</p>", "</p>\n"))).strip()


def _in_every_language(make) -> list[str]:
    """`make()` in each site language, each distinct text once."""
    texts: list[str] = []
    for code, _name in settings.LANGUAGES:
        with translation.override(code):
            for text in make():
                if text and text not in texts:
                    texts.append(str(text))
    return texts


def badge_from_certificates(certificates) -> dict | None:
    """The byline badge (experts.services.badges' shape) of these current certificates,
    read from the rows already loaded."""
    current = [c for c in certificates if c.is_current]
    if not current:
        return None
    strongest = min(current, key=lambda c: TIER_ORDER.get(c.tier, 9))
    employers = {
        c.employer.pk: {"id": c.employer.pk, "name": c.employer.name, "slug": c.employer.slug}
        for c in current
        if c.tier == Tier.BRAND_STAFF and c.employer_id
    }
    return {
        "tier": strongest.tier,
        "employers": sorted(employers.values(), key=lambda e: e["name"]),
        "expires_at": min(c.expires_at for c in current).isoformat(),
    }


def labels_from_certificates(certificates) -> list[str]:
    """Every label of the member's current certificates, in every language."""
    badge = badge_from_certificates(certificates)
    if badge is None:
        return []
    return _in_every_language(lambda: badges.badge_parts(badge))


def _current_certificates_prefetch(prefix: str = "") -> Prefetch:
    return Prefetch(
        f"{prefix}certificates",
        queryset=Certificate.objects.filter(current_certificates_q())
        .select_related("employer")
        .prefetch_related("categories", "brands")
        .order_by("pk"),
        to_attr="current_certificates",
    )


def _question_context(question: Question) -> str:
    parts = []
    if question.product_id:
        parts += [question.product.name, question.product.brand.name]
    if question.category_id:
        parts.append(question.category.name)
    return " ".join(parts)


def _brand_of(question: Question) -> tuple[str, str, int | None]:
    if question.product_id:
        product = question.product
        return product.brand.slug, product.brand.name, product.pk
    return "", "", None


@register
class QuestionDocument(DocumentType):
    name = "question"
    model = Question
    label = _("Questions")

    def get_queryset(self):
        return Question.objects.select_related(
            "product", "product__brand", "category"
        ).prefetch_related(
            Prefetch(
                "answers",
                queryset=Answer.objects.filter(is_hidden=False).order_by("created_at", "pk"),
                to_attr="visible_answers",
            )
        )

    def is_indexable(self, obj) -> bool:
        return not obj.is_hidden

    def to_document(self, obj) -> IndexDocument:
        parts = [plain_text(obj.body_html)]
        parts.extend(plain_text(answer.body_html) for answer in obj.visible_answers)
        body = "\n".join(part for part in parts if part)[:QUESTION_BODY_MAX_CHARS]
        brand, brand_name, product_id = _brand_of(obj)
        return IndexDocument(
            doc_type=self.name,
            doc_id=obj.pk,
            title=obj.title,
            body=body,
            context=_question_context(obj),
            url=obj.get_absolute_url(),
            language=obj.language or detect_language(obj.title, obj.body),
            created=obj.created_at,
            visibility=[PUBLIC],
            brand=brand,
            brand_name=brand_name,
            product_id=product_id,
            has_photos=any(answer.photo_count for answer in obj.visible_answers),
            helpful_count=max(obj.score, 0),
        )

    def dependencies(self):
        return {
            # New, edited, hidden or deleted answers change the question's text.
            Answer: lambda answer: [answer.question_id],
            Product: lambda product: Question.objects.filter(product=product).values_list(
                "pk", flat=True
            ),
            Brand: lambda brand: Question.objects.filter(product__brand=brand).values_list(
                "pk", flat=True
            ),
            Category: lambda category: Question.objects.filter(category=category).values_list(
                "pk", flat=True
            ),
            Vote: lambda vote: [vote.question_id] if vote.question_id else [],
        }


@register
class AnswerDocument(DocumentType):
    name = "answer"
    model = Answer
    label = _("Answers")

    def get_queryset(self):
        return Answer.objects.select_related(
            "question",
            "question__product",
            "question__product__brand",
            "question__category",
            "author",
            "expert_certificate",
            "expert_certificate__employer",
        ).prefetch_related(_current_certificates_prefetch("author__"))

    def is_indexable(self, obj) -> bool:
        return not obj.is_hidden and not obj.question.is_hidden

    def _labels(self, obj) -> list[str]:
        labels = labels_from_certificates(obj.author.current_certificates)
        if not labels and obj.expert_tier:
            # Certified when they answered, not any more: the snapshot still holds.
            labels = _in_every_language(lambda: [answer_snapshot_label(obj)])
        return labels

    def to_document(self, obj) -> IndexDocument:
        question = obj.question
        body = plain_text(obj.body_html)
        brand, brand_name, product_id = _brand_of(question)
        context = " ".join([obj.author.public_name, *self._labels(obj)])
        return IndexDocument(
            doc_type=self.name,
            doc_id=obj.pk,
            title=question.title,
            body=body,
            context=context,
            url=f"{question.get_absolute_url()}#answer-{obj.pk}",
            language=detect_language(body) if body else question.language,
            created=obj.created_at,
            visibility=[PUBLIC],
            brand=brand,
            brand_name=brand_name,
            product_id=product_id,
            has_photos=obj.photo_count > 0,
            helpful_count=max(obj.score, 0),
        )

    def dependencies(self):
        return {
            # A retitled, hidden or restored question.
            Question: lambda question: Answer.objects.filter(question=question).values_list(
                "pk", flat=True
            ),
            AnswerPhoto: lambda photo: [photo.answer_id],
            Vote: lambda vote: [vote.answer_id] if vote.answer_id else [],
            # The author's labels come from their certificates.
            Certificate: lambda certificate: Answer.objects.filter(
                author_id=certificate.member_id
            ).values_list("pk", flat=True),
            Product: lambda product: Answer.objects.filter(question__product=product).values_list(
                "pk", flat=True
            ),
            Brand: lambda brand: (
                Answer.objects.filter(
                    Q(question__product__brand=brand) | Q(author__certificates__employer=brand)
                )
                .values_list("pk", flat=True)
                .distinct()
            ),
        }


def _experts_in(*conditions, **fields) -> list[int]:
    """ExpertProfile ids of members with a current certificate matching the filter."""
    certificates = Certificate.objects.filter(current_certificates_q(), *conditions, **fields)
    return list(
        ExpertProfile.objects.filter(
            Exists(certificates.filter(member_id=OuterRef("member_id")))
        ).values_list("pk", flat=True)
    )


@register
class ExpertDocument(DocumentType):
    """One per expert profile (the profile exists from the first approval on), found
    only while its member is active and holds a current certificate."""

    name = "expert"
    model = ExpertProfile
    label = _("Experts")

    def get_queryset(self):
        return ExpertProfile.objects.select_related("member").prefetch_related(
            _current_certificates_prefetch("member__")
        )

    def is_indexable(self, obj) -> bool:
        return obj.member.is_active and any(c.is_current for c in obj.member.current_certificates)

    def to_document(self, obj) -> IndexDocument:
        member = obj.member
        certificates = [c for c in member.current_certificates if c.is_current]
        headlines = list(dict.fromkeys(c.headline for c in certificates if c.headline))
        fields = list(
            dict.fromkeys(
                [category.name for c in certificates for category in c.categories.all()]
                + [brand.name for c in certificates for brand in c.brands.all()]
            )
        )
        employers = {c.employer.pk: c.employer for c in certificates if c.employer_id}
        about = plain_text(obj.about_html)
        body = "\n".join(part for part in [*headlines, about] if part)
        # Facets: the employer for brand staff, else the brand field when there is one.
        brand = next(iter(employers.values()), None)
        if brand is None:
            brands = [b for c in certificates for b in c.brands.all()]
            brand = brands[0] if len(brands) == 1 else None
        return IndexDocument(
            doc_type=self.name,
            doc_id=obj.pk,
            title=str(member.public_name),
            body=body,
            context=" ".join([*labels_from_certificates(certificates), *fields]),
            url=reverse("experts:profile", args=[member.pk]),
            language=detect_language(body) if body else "en",
            created=min(c.first_issued_at for c in certificates),
            visibility=[PUBLIC],
            brand=brand.slug if brand else "",
            brand_name=brand.name if brand else "",
            helpful_count=obj.answer_count,
        )

    def dependencies(self):
        return {
            Certificate: lambda certificate: ExpertProfile.objects.filter(
                member_id=certificate.member_id
            ).values_list("pk", flat=True),
            Category: lambda category: _experts_in(categories=category),
            Brand: lambda brand: _experts_in(Q(brands=brand) | Q(employer=brand)),
        }

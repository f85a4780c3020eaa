"""Reads of the knowledge base: the answer a moderator is about to promote, the
published pages of the "Help from experts" section (one page of them in a fixed number
of queries), a page's source question, and its QAPage structured data."""

from dataclasses import dataclass

from django.core.paginator import Page as PaginatorPage
from django.core.paginator import Paginator
from django.utils.translation import gettext as _

from community.errors import NotFound
from experts.models import Answer, KnowledgeBaseIndexPage, KnowledgeBasePage, Question
from experts.services.knowledge import access_knowledge_promote, plain_text

PAGES_PER_PAGE = 20


def _parse_pk(pk) -> int:
    try:
        value = int(pk)
    except (TypeError, ValueError, OverflowError):
        raise NotFound(_("Not found.")) from None
    if not 0 < value < 2**63:
        raise NotFound(_("Not found."))
    return value


def answer_for_promotion(*, viewer, pk) -> Answer:
    """The answer with what the confirmation page shows. Moderators only (they see
    hidden answers too, so that the page can say why they cannot be promoted)."""
    access_knowledge_promote(user=viewer)
    answer = (
        Answer.objects.select_related(
            "question",
            "question__author",
            "author",
            "expert_certificate",
            "expert_certificate__employer",
        )
        .filter(pk=_parse_pk(pk))
        .first()
    )
    if answer is None:
        raise NotFound(_("This answer is not available."))
    return answer


def knowledge_page_for_question(*, question_id: int) -> KnowledgeBasePage | None:
    return KnowledgeBasePage.objects.filter(source_question_id=question_id).first()


def knowledge_page_list(*, index: KnowledgeBaseIndexPage, page=1) -> PaginatorPage:
    """Published, public answer pages of the section, newest first, with their authors
    (for the bylines): a count, a page of rows and the view-restriction check, whatever
    the length."""
    queryset = (
        KnowledgeBasePage.objects.child_of(index)
        .live()
        .public()
        .select_related("answer_author")
        .order_by("-first_published_at", "-pk")
    )
    result = Paginator(queryset, PAGES_PER_PAGE).get_page(page)
    result.object_list = list(result.object_list)
    return result


@dataclass(frozen=True)
class KnowledgeSource:
    question: Question | None  # None once the question was deleted
    question_url: str  # "" when the question is gone or hidden: nothing to link to


def knowledge_source(*, page: KnowledgeBasePage) -> KnowledgeSource:
    """The question the page was made from, with its asker (one query)."""
    question = None
    if page.source_question_id:
        question = (
            Question.objects.select_related("author").filter(pk=page.source_question_id).first()
        )
    url = question.get_absolute_url() if question is not None and not question.is_hidden else ""
    return KnowledgeSource(question=question, question_url=url)


def _person(name: str) -> dict:
    return {"@type": "Person", "name": name}


def qa_page_data(*, page: KnowledgeBasePage, source: KnowledgeSource, page_url: str) -> dict:
    """schema.org QAPage for a knowledge-base page: text fields are plain text (no
    HTML), dates ISO 8601, the answer's URL absolute. Emitted by the template tag
    `qa_page_json_ld`, which escapes it for a <script> element."""
    question = source.question
    question_text = plain_text(str(page.question_body)) or page.title
    answer = {
        "@type": "Answer",
        "text": plain_text(str(page.answer_body)),
        "dateCreated": page.answered_at.isoformat(),
        "upvoteCount": page.upvote_count,
        "url": f"{page_url}#answer",
        "author": _person(page.answer_author_name),
    }
    main = {
        "@type": "Question",
        "name": page.title,
        "text": question_text,
        "answerCount": 1,
        "dateCreated": (
            question.created_at if question is not None else page.answered_at
        ).isoformat(),
    }
    if question is not None and not question.is_hidden:
        main["author"] = _person(str(question.author.public_name))
    main["acceptedAnswer"] = answer
    return {"@context": "https://schema.org", "@type": "QAPage", "mainEntity": main}

"""The knowledge base: a moderator promotes a question's accepted answer into a Wagtail
page under "Help from experts", so a good answer becomes self-service help.

The page is a copy made at promotion time (question, answer, the author's name and how
they were certified when they answered, up votes); editors may polish it in Wagtail
afterwards. One page per question: `KnowledgeBasePage.source_question` is one-to-one."""

import html

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.html import strip_tags
from django.utils.text import Truncator, slugify
from django.utils.translation import gettext as _
from wagtail.actions.unpublish_page import UnpublishPageAction
from wagtail.models import Page, Site

from community.errors import AccessDenied, Conflict, DomainError, NotFound
from community.home.models import HomePage
from community.members import badges
from community.members.notifications import notify
from community.members.selectors import is_moderator
from experts.models import Answer, KnowledgeBaseIndexPage, KnowledgeBasePage, Question
from experts.services.access import access_account
from experts.services.badges import answer_snapshot_label

INDEX_SLUG = "help"
INDEX_TITLE = "Help from experts"
SLUG_MAX_LENGTH = 80
SEARCH_DESCRIPTION_LENGTH = 300
TITLE_MAX_LENGTH = 255
AUTHOR_NAME_MAX_LENGTH = KnowledgeBasePage._meta.get_field("answer_author_name").max_length
LABEL_MAX_LENGTH = KnowledgeBasePage._meta.get_field("answer_expert_label").max_length


# --- helpers --------------------------------------------------------------------------


def plain_text(rendered_html: str) -> str:
    """What a reader sees of stored HTML, on one line: for meta descriptions, search
    and structured data (never HTML there)."""
    text = html.unescape(strip_tags((rendered_html or "").replace("</p>", "</p>\n")))
    return " ".join(text.split())


def content_language(question: Question) -> str:
    """The site language the page is written in ("zh" questions are Simplified Chinese),
    so stored labels read in the language of the text around them."""
    wanted = "zh" if (question.language or "").startswith("zh") else "en"
    for code, _name in settings.LANGUAGES:
        if code.split("-")[0] == wanted:
            return code
    return settings.LANGUAGE_CODE


def answer_expert_label(answer: Answer) -> str:
    """How the author was certified when they answered (the answer's snapshot), plus
    every current "Brand employee · <brand>" of theirs: brand staff are labelled
    wherever their name appears, even under an answer written before they were. For an
    answer without a snapshot, the author's current label (if any)."""
    badge = badges.badge_current(answer.author)
    employee_labels = badges.brand_employee_labels(badge) if badge else []
    parts: list[str] = []
    if answer.expert_tier:
        snapshot = answer_snapshot_label(answer)
        if snapshot:
            parts.append(snapshot)
        parts.extend(label for label in employee_labels if label not in parts)
    else:
        parts = badges.badge_parts(badge)
    return Truncator(" · ".join(parts)).chars(LABEL_MAX_LENGTH)


def knowledge_index_ensure() -> KnowledgeBaseIndexPage:
    """The "Help from experts" section, created (published) under the default site's
    home page the first time an answer is promoted; an existing one is used wherever an
    editor moved it."""
    index = KnowledgeBaseIndexPage.objects.order_by("path").first()
    if index is not None:
        return index
    site = Site.objects.filter(is_default_site=True).select_related("root_page").first()
    parent = site.root_page.specific if site is not None else None
    if not isinstance(parent, HomePage):
        parent = HomePage.objects.order_by("path").first()
    if parent is None:
        raise DomainError(_("The site has no home page to put the knowledge base under."))
    slug = _free_slug(parent, INDEX_SLUG)
    index = KnowledgeBaseIndexPage(title=INDEX_TITLE, slug=slug, live=True)
    parent.add_child(instance=index)
    index.save_revision()
    return index


def _free_slug(parent: Page, wanted: str) -> str:
    """`wanted`, or `wanted-2`, `wanted-3`... : the first one no sibling uses."""
    taken = set(parent.get_children().values_list("slug", flat=True))
    slug, n = wanted, 1
    while slug in taken:
        n += 1
        slug = f"{wanted}-{n}"
    return slug


def page_slug(question: Question) -> str:
    """From the title, Chinese kept (Wagtail allows Unicode slugs), cut at a hyphen
    boundary; "question-<pk>" when nothing usable is left (a title of punctuation)."""
    slug = slugify(question.title, allow_unicode=True)[:SLUG_MAX_LENGTH].strip("-")
    return slug or f"question-{question.pk}"


# --- the rules ------------------------------------------------------------------------


def access_knowledge_promote(*, user) -> None:
    access_account(user=user)
    if not is_moderator(user):
        raise AccessDenied(_("Only moderators can add answers to the knowledge base."))


def promotion_refusal(*, answer: Answer) -> DomainError | None:
    """Why this answer cannot become a knowledge-base page now, or None. Shared by the
    confirmation page (to explain before the button) and `answer_promote`."""
    question = answer.question
    if question.is_hidden or answer.is_hidden:
        return DomainError(
            _("Hidden questions and answers cannot go into the knowledge base."), code="hidden"
        )
    if question.accepted_answer_id != answer.pk:
        return DomainError(
            _("Only the answer the asker accepted can go into the knowledge base."),
            code="not_accepted",
        )
    if KnowledgeBasePage.objects.filter(source_question_id=question.pk).exists():
        return Conflict(
            _("This question is already in the knowledge base."), code="already_promoted"
        )
    return None


# --- the write ------------------------------------------------------------------------


def answer_promote(*, moderator, answer: Answer) -> KnowledgeBasePage:
    """Publish the question and its accepted answer as a KnowledgeBasePage (a saved
    revision, published by the moderator) and tell the answer's author."""
    access_knowledge_promote(user=moderator)
    with transaction.atomic():
        # Lock the question: two moderators promoting at once make one page, not two.
        question = (
            Question.objects.select_for_update()
            .select_related("author")
            .filter(pk=answer.question_id)
            .first()
        )
        current = (
            Answer.objects.select_related(
                "author", "expert_certificate", "expert_certificate__employer"
            )
            .filter(pk=answer.pk, question_id=answer.question_id)
            .first()
        )
        if question is None or current is None:
            raise NotFound(_("This answer is not available."))
        current.question = question
        refusal = promotion_refusal(answer=current)
        if refusal is not None:
            raise refusal
        index = knowledge_index_ensure()
        author = current.author
        with translation.override(content_language(question)):
            label = answer_expert_label(current)
            author_name = str(author.public_name)
        page = KnowledgeBasePage(
            title=Truncator(question.title).chars(TITLE_MAX_LENGTH),
            slug=_free_slug(index, page_slug(question)),
            search_description=Truncator(plain_text(current.body_html)).chars(
                SEARCH_DESCRIPTION_LENGTH
            ),
            question_body=question.body_html,
            answer_body=current.body_html,
            answer_author=author,
            answer_author_name=author_name[:AUTHOR_NAME_MAX_LENGTH],
            answer_expert_label=label,
            answered_at=current.created_at,
            upvote_count=current.up_count,
            source_question=question,
            source_answer=current,
            live=False,
            owner=moderator,
        )
        try:
            with transaction.atomic():
                index.add_child(instance=page)
        except IntegrityError:  # the one-to-one on source_question, in a race we lost
            raise Conflict(
                _("This question is already in the knowledge base."), code="already_promoted"
            ) from None
        revision = page.save_revision(user=moderator, log_action=True)
        # Site moderators may promote (checked above) without page permissions in the
        # Wagtail tree; the revision and the log still name them.
        revision.publish(user=moderator, skip_permission_checks=True)
        page.refresh_from_db()
        notify(
            recipients=[author],
            kind="answer_promoted",
            url=page.get_url() or question.get_absolute_url(),
            actor=moderator,
            params={"title": Truncator(question.title).chars(80)},
        )
    return page


def knowledge_pages_unpublish(*, moderator, question_id: int, answer_id: int | None = None) -> int:
    """Hiding content also takes down its knowledge-base copy: the live page made from
    the question (or, with `answer_id`, only one made from that answer) is unpublished
    (it stays in the Wagtail admin, where editors may fix and republish it). Called by
    the hide services in their transaction; returns how many pages went down."""
    pages = KnowledgeBasePage.objects.live().filter(source_question_id=question_id)
    if answer_id is not None:
        pages = pages.filter(source_answer_id=answer_id)
    count = 0
    for page in pages:
        # The moderator's right was checked by the hide service (they may lack Wagtail
        # page permissions, as they did when the answer was promoted).
        UnpublishPageAction(page, user=moderator, log_action=True).execute(
            skip_permission_checks=True
        )
        count += 1
    return count

"""Writes of questions and answers: asking (to the community, about a product or to one
expert), answering with photos, votes, acceptance, comments, closing, moderation, and
offering overdue directed questions to other experts of the field.

Every function checks access itself, counts a rate limit and writes in one transaction.
Counters change with F() in the same transaction as the row that causes them:

- `Question.answer_count`: the question's answers that are not hidden;
- `Question.score`, `Answer.score` / `up_count` / `down_count`: the votes on them;
- `ExpertProfile.answer_count`: the member's answers (hidden or not).

`qa_scores_recount` re-derives the question's and its answers' counters from the rows.
A closed question is read only (no answers, comments, edits or acceptance), but votes
on it and its answers still count; hidden content is NotFound for everything.

Reputation (community.reputation) is written in the same transaction, after the change
and only when something changed: votes on answers and up votes on questions, accepting
(and un-accepting or replacing) an answer, and moderators hiding or restoring. It counts
toward the question's field: its category, else its product's.

Trust levels gate what members post (community.reputation.gates, ADR 0008): links in
questions, answers and comments from level 1 (Basic; on an edit, only the links it
adds), more than one photo on an answer from level 1; an author may make their answer a
community wiki, which members of level 3 (Regular) may then edit (`access_answer_edit`;
`Answer.edited_by` keeps who saved last). Every edit keeps the text it replaces as an
AnswerRevision; the author and site moderators may restore one (an edit in turn)."""

from collections.abc import Sequence
from datetime import datetime, timedelta

from django.db import IntegrityError, transaction
from django.db.models import Count, Exists, F, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, Greatest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import strip_tags
from django.utils.text import Truncator
from django.utils.translation import gettext as _

from community.errors import AccessDenied, Conflict, DomainError, NotFound
from community.members.models import Member
from community.members.notifications import notify
from community.members.selectors import is_moderator
from community.ratelimit import rate_limit_hit
from community.reputation.gates import access_links, access_new_links, access_photo_count
from community.reputation.rules import Privilege, Reason
from community.reputation.services import (
    reputation_content_deleted,
    reputation_content_removed,
    reputation_content_restored,
    reputation_lock_members,
    reputation_record,
    reputation_undo,
)
from community.reputation.trust_services import access_privilege
from community.reviews.photos import (
    PreparedPhoto,
    photos_prepare,
    renditions_delete_on_commit,
    renditions_write,
)
from community.text import detect_language, render_markdown
from experts.models import (
    Answer,
    AnswerPhoto,
    AnswerRevision,
    Certificate,
    ExpertProfile,
    QAComment,
    Question,
    Vote,
)
from experts.services.access import access_account, certificate_for_field, employer_brand_for
from experts.services.knowledge import knowledge_pages_unpublish
from experts.services.profiles import expert_response_time_refresh

TITLE_MIN_LENGTH = 10
TITLE_MAX_LENGTH = 200
BODY_MAX_LENGTH = 10_000
COMMENT_MAX_LENGTH = 1000
HIDE_REASON_MAX_LENGTH = 500
CLOSE_REASON_MAX_LENGTH = 300
MAX_PHOTOS_PER_ANSWER = 4
OFFER_MAX_EXPERTS = 50
OFFER_BATCH_SIZE = 200
EXCERPT_LENGTH = 80


# --- helpers --------------------------------------------------------------------------


def excerpt(body: str, length: int = EXCERPT_LENGTH) -> str:
    """Plain text of a Markdown body on one line, cut at about `length` characters."""
    text = " ".join(strip_tags(render_markdown(body)).split())
    return Truncator(text).chars(length)


def _clean_text(text, *, max_length: int, field: str, required: bool, empty_message=None) -> str:
    text = (text or "").strip()
    if required and not text:
        raise DomainError(empty_message or _("This field is required."), field=field)
    if len(text) > max_length:
        raise DomainError(
            _("This can be at most %(count)d characters.") % {"count": max_length}, field=field
        )
    return text


def _clean_reason(reason, *, max_length: int) -> str:
    return _clean_text(
        reason,
        max_length=max_length,
        field="reason",
        required=True,
        empty_message=_("Give a reason."),
    )


def _question_missing() -> NotFound:
    return NotFound(_("This question is not available."))


def _answer_missing() -> NotFound:
    return NotFound(_("This answer is not available."))


def _closed() -> Conflict:
    return Conflict(_("This question is closed."), code="closed")


def _lock_question(question: Question) -> Question:
    """The question's current row, locked until the transaction ends."""
    try:
        return (
            Question.objects.select_for_update(of=("self",))
            .select_related("product")
            .get(pk=question.pk)
        )
    except Question.DoesNotExist:
        raise _question_missing() from None


def _lock_answer(answer: Answer) -> Answer:
    try:
        return Answer.objects.select_for_update().get(pk=answer.pk)
    except Answer.DoesNotExist:
        raise _answer_missing() from None


def _require_visible_question(question: Question) -> None:
    if question.is_hidden:
        raise _question_missing()


def _require_open_question(question: Question) -> None:
    _require_visible_question(question)
    if question.status != Question.Status.OPEN:
        raise _closed()


def _question_category(question: Question):
    """The field reputation from a question and its answers counts toward."""
    if question.category_id is not None:
        return question.category
    if question.product_id is not None:
        return question.product.category
    return None


def _answer_url(answer: Answer) -> str:
    return reverse("experts:question_detail", args=[answer.question_id]) + f"#answer-{answer.pk}"


# --- questions ------------------------------------------------------------------------


def question_ask(
    *,
    author,
    title: str,
    body: str = "",
    product=None,
    category=None,
    directed_to=None,
) -> Question:
    """Ask the community, about a product (its category becomes the field), or one
    expert who takes questions (notified; the answer is due within their stated
    response time)."""
    access_account(user=author)
    title = " ".join((title or "").split())
    if len(title) < TITLE_MIN_LENGTH:
        raise DomainError(
            _("Write your question in at least %(count)d characters.")
            % {"count": TITLE_MIN_LENGTH},
            field="title",
        )
    if len(title) > TITLE_MAX_LENGTH:
        raise DomainError(
            _("The question can be at most %(count)d characters; put details below.")
            % {"count": TITLE_MAX_LENGTH},
            field="title",
        )
    body = _clean_text(body, max_length=BODY_MAX_LENGTH, field="body", required=False)
    body_html = render_markdown(body)
    access_links(author, html=body_html, field="body")
    if product is not None:
        category = product.category
    profile = None
    if directed_to is not None:
        if directed_to.pk == author.pk:
            raise DomainError(_("You cannot ask yourself a question."), field="directed_to")
        if not directed_to.is_active or certificate_for_field(member=directed_to) is None:
            raise NotFound(_("No such expert."), field="directed_to")
        profile = ExpertProfile.objects.filter(member=directed_to).first()
        if profile is None or not profile.accepts_questions:
            raise DomainError(
                _("%(name)s does not take questions at the moment.")
                % {"name": directed_to.public_name},
                code="questions_closed",
                field="directed_to",
            )
    rate_limit_hit(action="question_ask", key=author.pk)
    now = timezone.now()
    with transaction.atomic():
        question = Question.objects.create(
            author=author,
            title=title,
            body=body,
            body_html=body_html,
            language=detect_language(title, body),
            product=product,
            category=category,
            directed_to=directed_to,
            answer_due_at=now + timedelta(hours=profile.response_hours) if profile else None,
            last_activity_at=now,
        )
        if directed_to is not None:
            notify(
                recipients=[directed_to],
                kind="question_directed",
                url=question.get_absolute_url(),
                actor=author,
                params={"actor": author.public_name, "title": title},
            )
    return question


def question_close(*, actor, question: Question, reason: str) -> Question:
    """The asker or a site moderator closes a question: it stays readable, nothing new
    can be added (votes still count)."""
    access_account(user=actor)
    if question.author_id != actor.pk and not is_moderator(actor):
        raise AccessDenied(_("Only the person who asked and moderators can close a question."))
    reason = _clean_reason(reason, max_length=CLOSE_REASON_MAX_LENGTH)
    with transaction.atomic():
        current = _lock_question(question)
        if current.is_hidden and not is_moderator(actor):
            raise _question_missing()
        if current.status == Question.Status.CLOSED:
            return current
        current.status = Question.Status.CLOSED
        current.closed_reason = reason
        current.save(update_fields=["status", "closed_reason"])
    return current


def question_reopen(*, moderator, question: Question) -> Question:
    """Only site moderators reopen a closed question."""
    _access_moderate(moderator)
    with transaction.atomic():
        current = _lock_question(question)
        if current.status == Question.Status.OPEN:
            return current
        current.status = Question.Status.OPEN
        current.closed_reason = ""
        current.last_activity_at = timezone.now()
        current.save(update_fields=["status", "closed_reason", "last_activity_at"])
    return current


def _access_moderate(user) -> None:
    access_account(user=user)
    if not is_moderator(user):
        raise AccessDenied(_("Only moderators can do this."))


def question_hide(*, moderator, question: Question, reason: str) -> Question:
    """Hide a question from everyone but its author and moderators."""
    _access_moderate(moderator)
    reason = _clean_reason(reason, max_length=HIDE_REASON_MAX_LENGTH)
    with transaction.atomic():
        current = _lock_question(question)
        was_hidden = current.is_hidden
        current.is_hidden = True
        current.hidden_reason = reason
        current.save(update_fields=["is_hidden", "hidden_reason"])
        knowledge_pages_unpublish(moderator=moderator, question_id=current.pk)
        if not was_hidden:
            reputation_content_removed(
                content=current,
                author=current.author,
                moderator=moderator,
                category=_question_category(current),
            )
    return current


def question_restore(*, moderator, question: Question) -> Question:
    _access_moderate(moderator)
    with transaction.atomic():
        current = _lock_question(question)
        was_hidden = current.is_hidden
        current.is_hidden = False
        current.hidden_reason = ""
        current.save(update_fields=["is_hidden", "hidden_reason"])
        if was_hidden:
            reputation_content_restored(content=current, author=current.author, moderator=moderator)
    return current


# --- answers --------------------------------------------------------------------------


def _attach_photos(*, answer: Answer, prepared: Sequence[PreparedPhoto]) -> None:
    for position, photo in enumerate(prepared):
        row = AnswerPhoto(answer=answer, position=position, width=photo.width, height=photo.height)
        renditions_write(row, photo)
        row.save()


def _already_answered() -> Conflict:
    return Conflict(
        _("You have already answered this question; edit your answer instead."),
        code="already_answered",
    )


def answer_create(
    *,
    author,
    question: Question,
    body: str,
    photo_uploads: Sequence = (),
    is_wiki: bool = False,
) -> Answer:
    """One answer per member and question, with up to four photos (one below trust
    level 1) and links from level 1. An author with a current certificate in the
    question's field (any field, for a question without one) writes an expert answer:
    the certificate and tier are kept with the answer. `is_wiki` makes it a community
    wiki that members of trust level 3 may improve (answer_update)."""
    access_account(user=author)
    body = _clean_text(
        body,
        max_length=BODY_MAX_LENGTH,
        field="body",
        required=True,
        empty_message=_("Write your answer."),
    )
    photo_uploads = list(photo_uploads or ())
    if len(photo_uploads) > MAX_PHOTOS_PER_ANSWER:
        raise DomainError(
            _("An answer can have at most %(count)d photos.") % {"count": MAX_PHOTOS_PER_ANSWER},
            field="photos",
        )
    body_html = render_markdown(body)
    access_links(author, html=body_html, field="body")
    access_photo_count(author, count=len(photo_uploads), field="photos")
    # Cheap refusals before the slow photo work.
    _require_open_question(question)
    if Answer.objects.filter(question=question, author=author).exists():
        raise _already_answered()
    rate_limit_hit(action="answer_write", key=author.pk)
    prepared = photos_prepare(photo_uploads)
    with transaction.atomic():
        current = _lock_question(question)
        _require_open_question(current)
        certificate = certificate_for_field(
            member=author,
            category_id=current.category_id,
            brand_id=current.product.brand_id if current.product_id else None,
        )
        try:
            with transaction.atomic():
                answer = Answer.objects.create(
                    question=current,
                    author=author,
                    body=body,
                    body_html=body_html,
                    is_wiki=bool(is_wiki),
                    expert_certificate=certificate,
                    expert_tier=certificate.tier if certificate else "",
                    brand_affiliation=(
                        employer_brand_for(expert=author, brand=current.product.brand)
                        if current.product_id
                        else None
                    ),
                    photo_count=len(prepared),
                )
        except IntegrityError:
            raise _already_answered() from None
        _attach_photos(answer=answer, prepared=prepared)
        now = timezone.now()
        Question.objects.filter(pk=current.pk).update(
            answer_count=F("answer_count") + 1, last_activity_at=now
        )
        ExpertProfile.objects.filter(member=author).update(answer_count=F("answer_count") + 1)
        notify(
            recipients=[current.author],
            kind="question_answered",
            url=_answer_url(answer),
            actor=author,
            params={"actor": author.public_name, "title": current.title},
        )
        if certificate is not None or current.directed_to_id == author.pk:
            expert_response_time_refresh(member=author)
    question.answer_count = current.answer_count + 1
    return answer


def access_answer_edit(*, editor, answer: Answer) -> None:
    """The author edits their own answer; a community wiki answer also members of trust
    level 3 (Privilege.EDIT_WIKI; site moderators hold every privilege)."""
    access_account(user=editor)
    if answer.author_id == editor.pk:
        return
    if not answer.is_wiki:
        raise AccessDenied(_("You can only edit your own answers."))
    access_privilege(editor, Privilege.EDIT_WIKI)


def _version_keep(answer: Answer) -> AnswerRevision:
    """Keep the text an edit is about to replace, with who wrote it and when."""
    return AnswerRevision.objects.create(
        answer=answer,
        body=answer.body,
        editor_id=answer.edited_by_id if answer.edited_at else answer.author_id,
        created_at=answer.edited_at or answer.created_at,
    )


def _answer_text_save(
    *, question: Question, answer: Answer, editor, body: str, body_html: str, fields=()
) -> Answer:
    """Write a new text on the locked `answer`, keeping the one it replaces."""
    _version_keep(answer)
    answer.body = body
    answer.body_html = body_html
    answer.edited_at = timezone.now()
    answer.edited_by = editor
    answer.save(update_fields=["body", "body_html", "edited_at", "edited_by", *fields])
    Question.objects.filter(pk=question.pk).update(last_activity_at=answer.edited_at)
    return answer


def _lock_editable_answer(answer: Answer) -> tuple[Question, Answer]:
    """The answer's question and the answer, locked, while they may still be edited."""
    question = _lock_question(answer.question)
    _require_open_question(question)
    current = _lock_answer(answer)
    if current.is_hidden:
        raise AccessDenied(_("A moderator hid this answer: it cannot be edited."))
    return question, current


def answer_update(*, editor, answer: Answer, body: str, is_wiki: bool | None = None) -> Answer:
    """Edit an answer while the question is open and the answer shown: its author, or,
    for a community wiki answer, a member of trust level 3 (access_answer_edit). Only
    the author marks or unmarks it a wiki (`is_wiki`; None keeps it). The text it
    replaces is kept as an AnswerRevision. The links gate applies to the links the edit
    adds, against the editor; `edited_by` records who saved last. Votes and acceptance
    keep counting for the author alone."""
    access_answer_edit(editor=editor, answer=answer)
    is_author = answer.author_id == editor.pk
    if is_wiki is not None and not is_author and bool(is_wiki) != answer.is_wiki:
        raise DomainError(
            _("Only the author can change whether an answer is a community wiki."),
            field="is_wiki",
        )
    body = _clean_text(
        body,
        max_length=BODY_MAX_LENGTH,
        field="body",
        required=True,
        empty_message=_("Write your answer."),
    )
    body_html = render_markdown(body)
    with transaction.atomic():
        question, current = _lock_editable_answer(answer)
        # Checked again on the locked row: the author may have unmarked it meanwhile.
        access_answer_edit(editor=editor, answer=current)
        # Only links the stored text lacks need the privilege: a level-0 author can still
        # edit their wiki answer after a Regular added a link to it.
        access_new_links(editor, html=body_html, old_html=current.body_html, field="body")
        rate_limit_hit(action="answer_write", key=editor.pk)
        fields = []
        if is_author and is_wiki is not None:
            current.is_wiki = bool(is_wiki)
            fields.append("is_wiki")
        # Another member's edit keeps the author's expert label: it is still their answer.
        _answer_text_save(
            question=question,
            answer=current,
            editor=editor,
            body=body,
            body_html=body_html,
            fields=fields,
        )
    return current


def access_answer_restore(*, actor, answer: Answer) -> None:
    """The answer's author and site moderators restore earlier versions of it."""
    access_account(user=actor)
    if answer.author_id != actor.pk and not is_moderator(actor):
        raise AccessDenied(
            _("Only the author of the answer and moderators can restore an earlier version.")
        )


def answer_revision_restore(*, actor, revision: AnswerRevision) -> Answer:
    """Make an earlier version the answer's text again (access_answer_restore). It is an
    edit like any other: the question must be open and the answer shown, the text it
    replaces is kept as a revision, and links the restored version adds to the current
    text are gated against `actor`."""
    answer = revision.answer
    access_answer_restore(actor=actor, answer=answer)
    body_html = render_markdown(revision.body)
    with transaction.atomic():
        question, current = _lock_editable_answer(answer)
        access_new_links(actor, html=body_html, old_html=current.body_html, field="body")
        rate_limit_hit(action="answer_write", key=actor.pk)
        _answer_text_save(
            question=question,
            answer=current,
            editor=actor,
            body=revision.body,
            body_html=body_html,
        )
    return current


def answer_delete(*, author, answer: Answer) -> None:
    """The author removes their answer (with its photos, votes and comments); not the
    accepted one, which the asker relies on."""
    access_account(user=author)
    if answer.author_id != author.pk:
        raise AccessDenied(_("You can only delete your own answers."))
    with transaction.atomic():
        question = _lock_question(answer.question)
        current = _lock_answer(answer)
        if question.accepted_answer_id == current.pk:
            raise Conflict(_("The accepted answer cannot be deleted."), code="accepted_answer")
        photos = list(current.photos.all())
        was_visible = not current.is_hidden
        reputation_content_deleted(content=current, author=current.author)
        current.delete()
        renditions_delete_on_commit(photos)
        if was_visible:
            _answer_count_change(question.pk, -1)
        ExpertProfile.objects.filter(member_id=current.author_id, answer_count__gt=0).update(
            answer_count=F("answer_count") - 1
        )


def _answer_count_change(question_id: int, delta: int) -> None:
    """Shown answers +1 or -1; a decrement never takes a drifted counter below zero
    (qa_scores_recount puts it right)."""
    rows = Question.objects.filter(pk=question_id)
    if delta < 0:
        rows = rows.filter(answer_count__gte=-delta)
    rows.update(answer_count=F("answer_count") + delta)


def _answer_moderate(*, moderator, answer: Answer, hidden: bool, reason: str = "") -> Answer:
    with transaction.atomic():
        question = _lock_question(answer.question)
        current = _lock_answer(answer)
        if current.is_hidden == hidden:
            if hidden and reason != current.hidden_reason:
                current.hidden_reason = reason
                current.save(update_fields=["hidden_reason"])
            return current
        current.is_hidden = hidden
        current.hidden_reason = reason
        current.save(update_fields=["is_hidden", "hidden_reason"])
        _answer_count_change(question.pk, -1 if hidden else 1)
        if hidden:
            knowledge_pages_unpublish(
                moderator=moderator, question_id=question.pk, answer_id=current.pk
            )
            reputation_content_removed(
                content=current,
                author=current.author,
                moderator=moderator,
                category=_question_category(question),
            )
        else:
            reputation_content_restored(content=current, author=current.author, moderator=moderator)
            if question.accepted_answer_id != current.pk:
                # Restoring gives back what the answer earned when it was hidden; an
                # acceptance replaced or withdrawn meanwhile is no longer earned.
                reputation_undo(
                    member=current.author,
                    source=current,
                    actor=question.author,
                    reasons=[Reason.ANSWER_ACCEPTED],
                )
    return current


def answer_hide(*, moderator, answer: Answer, reason: str) -> Answer:
    """Hide an answer from everyone but its author and moderators."""
    _access_moderate(moderator)
    reason = _clean_reason(reason, max_length=HIDE_REASON_MAX_LENGTH)
    return _answer_moderate(moderator=moderator, answer=answer, hidden=True, reason=reason)


def answer_restore(*, moderator, answer: Answer) -> Answer:
    _access_moderate(moderator)
    return _answer_moderate(moderator=moderator, answer=answer, hidden=False)


def answer_accept(*, member, answer: Answer) -> Question:
    """Only the asker accepts (their own answer too); accepting another answer replaces
    the accepted one. The answer's author is told."""
    access_account(user=member)
    with transaction.atomic():
        question = _lock_question(answer.question)
        current = _lock_answer(answer)
        if question.is_hidden or current.is_hidden:
            raise _answer_missing()
        if question.author_id != member.pk:
            raise AccessDenied(_("Only the person who asked can accept an answer."))
        if question.status != Question.Status.OPEN:
            raise _closed()
        if question.accepted_answer_id == current.pk:
            return question
        previous_id = question.accepted_answer_id
        question.accepted_answer = current
        question.last_activity_at = timezone.now()
        question.save(update_fields=["accepted_answer", "last_activity_at"])
        previous_author_id = (
            Answer.objects.filter(pk=previous_id).values_list("author_id", flat=True).first()
            if previous_id is not None
            else None
        )
        reputation_lock_members(current.author_id, question.author_id, previous_author_id)
        if previous_id is not None:
            _acceptance_undo(question=question, answer_id=previous_id)
        _acceptance_record(question=question, answer=current)
        notify(
            recipients=[current.author],
            kind="answer_accepted",
            url=_answer_url(current),
            actor=member,
            params={"title": question.title},
        )
    return question


def answer_unaccept(*, member, question: Question) -> Question:
    access_account(user=member)
    with transaction.atomic():
        current = _lock_question(question)
        _require_visible_question(current)
        if current.author_id != member.pk:
            raise AccessDenied(_("Only the person who asked can accept an answer."))
        if current.status != Question.Status.OPEN:
            raise _closed()
        if current.accepted_answer_id is None:
            return current
        previous_id = current.accepted_answer_id
        current.accepted_answer = None
        current.save(update_fields=["accepted_answer"])
        reputation_lock_members(
            current.author_id,
            Answer.objects.filter(pk=previous_id).values_list("author_id", flat=True).first(),
        )
        _acceptance_undo(question=current, answer_id=previous_id)
    return current


def _acceptance_record(*, question: Question, answer: Answer) -> None:
    """The asker accepted `answer`: points to its author and a little to the asker
    (nothing when the asker accepts their own answer)."""
    category = _question_category(question)
    reputation_record(
        member=answer.author,
        reason=Reason.ANSWER_ACCEPTED,
        source=answer,
        actor=question.author,
        category=category,
    )
    reputation_record(
        member=question.author,
        reason=Reason.ACCEPTED_AN_ANSWER,
        source=answer,
        actor=answer.author,
        category=category,
    )


def _acceptance_undo(*, question: Question, answer_id: int) -> None:
    """The answer `answer_id` is no longer accepted: reverse what accepting it earned."""
    answer = Answer.objects.select_related("author").filter(pk=answer_id).first()
    if answer is None:
        return
    reputation_undo(
        member=answer.author,
        source=answer,
        actor=question.author,
        reasons=[Reason.ANSWER_ACCEPTED],
    )
    reputation_undo(
        member=question.author,
        source=answer,
        actor=answer.author,
        reasons=[Reason.ACCEPTED_AN_ANSWER],
    )


# --- votes ----------------------------------------------------------------------------


def _vote_target(target) -> tuple[str, Question | Answer]:
    if isinstance(target, Answer):
        return "answer", target
    if isinstance(target, Question):
        return "question", target
    raise TypeError("A vote is on a question or an answer.")


def _lock_vote_target(kind: str, target):
    """Lock the voted row, refusing hidden content (or an answer of a hidden question)."""
    if kind == "question":
        current = _lock_question(target)
        _require_visible_question(current)
        return current
    try:
        current = (
            Answer.objects.select_for_update(of=("self",))
            .select_related("question")
            .get(pk=target.pk)
        )
    except Answer.DoesNotExist:
        raise _answer_missing() from None
    if current.is_hidden or current.question.is_hidden:
        raise _answer_missing()
    return current


def _counter_changes(kind: str, old: int, new: int) -> dict:
    """The F() updates that turn the counters for vote `old` into those for `new`
    (0 = no vote)."""
    changes = {"score": F("score") + (new - old)}
    if kind == "answer":
        for name, delta in (
            ("up_count", (new == Vote.UP) - (old == Vote.UP)),
            ("down_count", (new == Vote.DOWN) - (old == Vote.DOWN)),
        ):
            if delta > 0:
                changes[name] = F(name) + delta
            elif delta < 0:  # never below zero, should a counter have drifted
                changes[name] = Greatest(F(name) + delta, 0)
    return changes


def _model_for(kind: str):
    return Answer if kind == "answer" else Question


# What a vote earns its target's author (a down vote on a question earns nothing).
_VOTE_REPUTATION = {
    ("answer", Vote.UP): Reason.ANSWER_UPVOTED,
    ("answer", Vote.DOWN): Reason.ANSWER_DOWNVOTED,
    ("question", Vote.UP): Reason.QUESTION_UPVOTED,
}


def _vote_reputation_undo(*, kind: str, target, voter, values) -> None:
    reasons = [_VOTE_REPUTATION[kind, v] for v in values if (kind, v) in _VOTE_REPUTATION]
    if reasons:
        reputation_undo(member=target.author, source=target, actor=voter, reasons=reasons)


def _vote_reputation_record(*, kind: str, target, voter, value: int) -> None:
    reason = _VOTE_REPUTATION.get((kind, value))
    if reason is None:
        return
    question = target if kind == "question" else target.question
    reputation_record(
        member=target.author,
        reason=reason,
        source=target,
        actor=voter,
        category=_question_category(question),
    )


def vote_cast(*, voter, target, value: int, reason: str = ""):
    """Vote a question or an answer up or down (down votes name a reason from
    Vote.Reason). Voting the same way twice is refused; the other way replaces the
    vote. Returns the target with fresh counters and `viewer_vote`."""
    access_account(user=voter)
    kind, target = _vote_target(target)
    if value not in (Vote.UP, Vote.DOWN):
        raise DomainError(_("Vote up or down."), field="value")
    if value == Vote.DOWN:
        if reason not in Vote.Reason.values:
            raise DomainError(
                _("Choose why you vote this down."), field="reason", code="reason_required"
            )
    else:
        reason = ""
    if target.author_id == voter.pk:
        raise AccessDenied(_("You cannot vote on what you wrote."), code="own_content")
    rate_limit_hit(action="qa_vote", key=voter.pk)
    with transaction.atomic():
        current = _lock_vote_target(kind, target)
        existing = Vote.objects.select_for_update().filter(voter=voter, **{kind: current}).first()
        if existing is not None and existing.value == value:
            raise Conflict(_("You have already voted."), code="already_voted")
        # Counters first, then the vote row: the row's save is what reindexes the
        # target for search (search.signals), which must see the new score.
        counters = _model_for(kind).objects.filter(pk=current.pk)
        if existing is None:
            try:
                with transaction.atomic():
                    counters.update(**_counter_changes(kind, 0, value))
                    Vote.objects.create(voter=voter, value=value, reason=reason, **{kind: current})
            except IntegrityError:  # a double click raced this one
                raise Conflict(_("You have already voted."), code="already_voted") from None
        else:
            counters.update(**_counter_changes(kind, existing.value, value))
            old_value = existing.value
            existing.value = value
            existing.reason = reason
            existing.save(update_fields=["value", "reason"])
            _vote_reputation_undo(kind=kind, target=current, voter=voter, values=[old_value])
        _vote_reputation_record(kind=kind, target=current, voter=voter, value=value)
    return _refreshed(kind, target, value)


def vote_withdraw(*, voter, target):
    """Take one's vote back (nothing happens when there is none)."""
    access_account(user=voter)
    kind, target = _vote_target(target)
    rate_limit_hit(action="qa_vote", key=voter.pk)
    with transaction.atomic():
        current = _lock_vote_target(kind, target)
        existing = Vote.objects.select_for_update().filter(voter=voter, **{kind: current}).first()
        if existing is not None:
            _model_for(kind).objects.filter(pk=current.pk).update(
                **_counter_changes(kind, existing.value, 0)
            )
            existing.delete()
            _vote_reputation_undo(
                kind=kind, target=current, voter=voter, values=[Vote.UP, Vote.DOWN]
            )
    return _refreshed(kind, target, 0)


def _refreshed(kind: str, target, viewer_vote: int):
    target.refresh_from_db(
        fields=["score", "up_count", "down_count"] if kind == "answer" else ["score"]
    )
    target.viewer_vote = viewer_vote
    return target


def qa_scores_recount(*, question: Question) -> dict:
    """Re-derive the counters of a question and its answers from the rows: the
    question's score and count of shown answers, each answer's score, up and down
    counts. Returns what it wrote ({"question": {...}, "answers": {pk: {...}}})."""
    with transaction.atomic():
        score = Vote.objects.filter(question=question).aggregate(total=Coalesce(Sum("value"), 0))[
            "total"
        ]
        answer_count = Answer.objects.filter(question=question, is_hidden=False).count()
        Question.objects.filter(pk=question.pk).update(score=score, answer_count=answer_count)
        answers = {}
        rows = Answer.objects.filter(question=question).annotate(
            total=Coalesce(Sum("votes__value"), 0),
            ups=Count("votes", filter=Q(votes__value=Vote.UP)),
            downs=Count("votes", filter=Q(votes__value=Vote.DOWN)),
        )
        for row in rows:
            answers[row.pk] = {"score": row.total, "up_count": row.ups, "down_count": row.downs}
            Answer.objects.filter(pk=row.pk).update(**answers[row.pk])
    return {"question": {"score": score, "answer_count": answer_count}, "answers": answers}


# --- comments -------------------------------------------------------------------------


def comment_create(
    *, author, body: str, question: Question | None = None, answer=None
) -> QAComment:
    """A short Markdown comment on an open question or one of its answers; the author of
    what is commented is told."""
    access_account(user=author)
    if (question is None) == (answer is None):
        raise DomainError(_("Comment on a question or on an answer."))
    body = _clean_text(
        body,
        max_length=COMMENT_MAX_LENGTH,
        field="body",
        required=True,
        empty_message=_("Write a comment."),
    )
    body_html = render_markdown(body)
    access_links(author, html=body_html, field="body")
    rate_limit_hit(action="qa_comment", key=author.pk)
    with transaction.atomic():
        current_question = _lock_question(question if answer is None else answer.question)
        _require_open_question(current_question)
        target_author = current_question.author
        if answer is not None:
            current_answer = _lock_answer(answer)
            if current_answer.is_hidden:
                raise _answer_missing()
            target_author = current_answer.author
        comment = QAComment.objects.create(
            question=current_question if answer is None else None,
            answer=current_answer if answer is not None else None,
            author=author,
            body=body,
            body_html=body_html,
        )
        Question.objects.filter(pk=current_question.pk).update(last_activity_at=timezone.now())
        notify(
            recipients=[target_author],
            kind="qa_comment",
            url=f"{current_question.get_absolute_url()}#comment-{comment.pk}",
            actor=author,
            params={
                "actor": author.public_name,
                "title": current_question.title,
                "excerpt": excerpt(body),
            },
        )
    return comment


def comment_delete(*, actor, comment: QAComment) -> None:
    """The author deletes their comment; a moderator hides someone else's."""
    access_account(user=actor)
    if comment.author_id == actor.pk:
        comment.delete()
        return
    if not is_moderator(actor):
        raise AccessDenied(_("You can only delete your own comments."))
    QAComment.objects.filter(pk=comment.pk).update(is_hidden=True)
    comment.is_hidden = True


# --- overdue directed questions ---------------------------------------------------------


def _directed_answered_q(prefix: str = "") -> Exists:
    return Exists(
        Answer.objects.filter(
            question_id=OuterRef(f"{prefix}pk"), author_id=OuterRef(f"{prefix}directed_to_id")
        )
    )


def question_is_overdue(question: Question, now: datetime | None = None) -> bool:
    """Directed, open, shown, past its due time, and not answered by the expert asked.
    Reads `directed_answered` when the selector annotated it, else asks the database."""
    now = now or timezone.now()
    if not (
        question.directed_to_id
        and question.status == Question.Status.OPEN
        and not question.is_hidden
        and question.answer_due_at is not None
        and now > question.answer_due_at
    ):
        return False
    answered = getattr(question, "directed_answered", None)
    if answered is None:
        answered = Answer.objects.filter(
            question_id=question.pk, author_id=question.directed_to_id
        ).exists()
    return not answered


def overdue_questions_q(now: datetime) -> Q:
    """Filter of overdue directed questions (with `directed_answered` annotated False)."""
    return Q(
        directed_to__isnull=False,
        status=Question.Status.OPEN,
        is_hidden=False,
        answer_due_at__lt=now,
    )


def _field_experts(question: Question, now: datetime) -> list[Member]:
    """Up to OFFER_MAX_EXPERTS active members who take questions and hold a certificate
    current at `now` in the question's field (its category, its product's brand; for a
    question without a field, the fields of the expert it was asked to)."""
    current = Certificate.objects.filter(status=Certificate.Status.ACTIVE, expires_at__gt=now)
    field = Q()
    if question.category_id:
        field |= Q(categories__id=question.category_id)
    if question.product_id:
        brand_id = question.product.brand_id
        field |= Q(brands__id=brand_id) | Q(employer_id=brand_id)
    if not field and question.directed_to_id:
        theirs = current.filter(member_id=question.directed_to_id)
        category_ids = list(
            theirs.filter(categories__isnull=False).values_list("categories__id", flat=True)
        )
        brand_ids = list(theirs.filter(brands__isnull=False).values_list("brands__id", flat=True))
        brand_ids += list(
            theirs.filter(employer__isnull=False).values_list("employer_id", flat=True)
        )
        if category_ids:
            field |= Q(categories__id__in=category_ids)
        if brand_ids:
            field |= Q(brands__id__in=brand_ids) | Q(employer_id__in=brand_ids)
    if not field:
        return []
    answered = Answer.objects.filter(question=question).values("author_id")
    return list(
        Member.objects.filter(
            pk__in=Subquery(current.filter(field).values("member_id")),
            is_active=True,
            expert_profile__accepts_questions=True,
        )
        .exclude(pk__in=[question.directed_to_id, question.author_id])
        .exclude(pk__in=answered)
        .order_by("pk")[:OFFER_MAX_EXPERTS]
    )


def questions_offer_overdue(*, now: datetime | None = None) -> int:
    """Offer every overdue directed question, once, to other experts of its field
    (`offered_at` is set even when nobody could be told, so it is not retried every
    hour). Returns how many questions were offered."""
    now = now or timezone.now()
    candidates = (
        Question.objects.filter(overdue_questions_q(now), offered_at__isnull=True)
        .annotate(directed_answered=_directed_answered_q())
        .filter(directed_answered=False)
        .select_related("product")
        .order_by("pk")
    )
    offered = 0
    last_pk = 0
    while True:
        batch = list(candidates.filter(pk__gt=last_pk)[:OFFER_BATCH_SIZE])
        if not batch:
            return offered
        for question in batch:
            with transaction.atomic():
                # The conditional update is the claim: a second run at the same time
                # updates nothing and tells nobody.
                claimed = Question.objects.filter(pk=question.pk, offered_at__isnull=True).update(
                    offered_at=now
                )
                if not claimed:
                    continue
                notify(
                    recipients=_field_experts(question, now),
                    kind="question_offered",
                    url=question.get_absolute_url(),
                    params={"title": question.title},
                )
                offered += 1
        last_pk = batch[-1].pk

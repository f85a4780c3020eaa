"""Reads of questions and answers. Lists select and annotate everything their templates
show (author and expert rows for the bylines, field, product, whether an expert answered,
whether the expert asked has answered), and the question page prefetches answers with
their photos, comments and the viewer's own votes, so a page's query count does not
grow with its length.

Hidden questions, answers and comments are shown to their authors and to site
moderators only; for anyone else they do not exist (NotFound)."""

from collections.abc import Mapping
from dataclasses import dataclass

from django.core.paginator import Page, Paginator
from django.db.models import (
    BooleanField,
    Case,
    Exists,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from brand_clubs.models import Category, Product
from community.errors import NotFound
from community.members.models import Member
from community.members.selectors import is_moderator
from community.reputation import rules
from community.text import render_markdown
from experts.models import (
    Answer,
    AnswerPhoto,
    AnswerRevision,
    Certificate,
    ExpertProfile,
    KnowledgeBasePage,
    QAComment,
    Question,
    Vote,
)
from experts.services.access import certificate_for_field, current_certificates_q
from experts.services.badges import answer_snapshot_label
from experts.services.questions import question_is_overdue

QUESTIONS_PER_PAGE = 20
ANSWERS_PER_PAGE = 30
REVISIONS_PER_PAGE = 20
SORTS = {
    "newest": ("-created_at", "-pk"),
    "active": ("-last_activity_at", "-pk"),
    "votes": ("-score", "-created_at", "-pk"),
}
DEFAULT_SORT = "newest"


def _signed_in(viewer) -> bool:
    return bool(viewer is not None and viewer.is_authenticated)


def _parse_pk(pk) -> int:
    """An id from a URL or a form: malformed or absurdly large ones are NotFound."""
    try:
        value = int(pk)
    except (TypeError, ValueError, OverflowError):
        raise NotFound(_("Not found.")) from None
    if not 0 < value < 2**63:
        raise NotFound(_("Not found."))
    return value


def _visible_q(viewer, *, moderator: bool) -> Q:
    """Rows with `is_hidden` and `author` the viewer may see."""
    if moderator:
        return Q()
    if _signed_in(viewer):
        return Q(is_hidden=False) | Q(author=viewer)
    return Q(is_hidden=False)


def _expert_answered() -> Exists:
    return Exists(
        Answer.objects.filter(question=OuterRef("pk"), is_hidden=False).exclude(expert_tier="")
    )


def _directed_answered() -> Exists:
    return Exists(
        Answer.objects.filter(question=OuterRef("pk"), author_id=OuterRef("directed_to_id"))
    )


def _for_list(queryset: QuerySet) -> QuerySet:
    return queryset.select_related(
        "author", "directed_to", "category", "product", "product__brand"
    ).annotate(has_expert_answer=_expert_answered(), directed_answered=_directed_answered())


def _mark_overdue(questions) -> list[Question]:
    now = timezone.now()
    rows = list(questions)
    for question in rows:
        question.is_overdue = question_is_overdue(question, now)
    return rows


def _paginate(queryset, number, per_page: int) -> Page:
    page = Paginator(queryset, per_page).get_page(number)
    page.object_list = _mark_overdue(page.object_list)
    return page


# --- lists ----------------------------------------------------------------------------


def question_list(*, viewer, filters: Mapping | None = None, page=1) -> Page:
    """A page of questions, newest first (or most active, or best voted), filtered by
    field (`category`: a Category), `product` (a Product), `unanswered` and
    `expert_answered`. Hidden questions only for moderators and their authors."""
    filters = filters or {}
    queryset = Question.objects.filter(_visible_q(viewer, moderator=is_moderator(viewer)))
    category = filters.get("category")
    if category:
        queryset = queryset.filter(category=category)
    product = filters.get("product")
    if product:
        queryset = queryset.filter(product=product)
    if filters.get("unanswered"):
        queryset = queryset.filter(answer_count=0)
    queryset = _for_list(queryset)
    if filters.get("expert_answered"):
        queryset = queryset.filter(has_expert_answer=True)
    sort = filters.get("sort") or DEFAULT_SORT
    queryset = queryset.order_by(*SORTS.get(sort, SORTS[DEFAULT_SORT]))
    return _paginate(queryset, page, QUESTIONS_PER_PAGE)


def questions_for_expert(*, expert, page=1) -> Page:
    """An expert's inbox: open questions asked to them, and overdue ones offered to
    the experts of their fields (not their own questions). Unanswered ones first."""
    if not _signed_in(expert):
        return _paginate(Question.objects.none(), page, QUESTIONS_PER_PAGE)
    current = Certificate.objects.filter(current_certificates_q(), member=expert)
    category_ids = list(
        current.filter(categories__isnull=False).values_list("categories__id", flat=True)
    )
    brand_ids = list(current.filter(brands__isnull=False).values_list("brands__id", flat=True))
    brand_ids += [pk for pk in current.values_list("employer_id", flat=True) if pk is not None]
    wanted = Q(directed_to=expert)
    in_field = Q()
    if category_ids:
        in_field |= Q(category_id__in=category_ids)
    if brand_ids:
        in_field |= Q(product__brand_id__in=brand_ids)
    if in_field:
        wanted |= Q(offered_at__isnull=False) & in_field
    queryset = (
        _for_list(
            Question.objects.filter(wanted, status=Question.Status.OPEN, is_hidden=False).exclude(
                author=expert
            )
        )
        .annotate(
            i_answered=Exists(Answer.objects.filter(question=OuterRef("pk"), author=expert)),
            directed_to_me=Case(
                When(directed_to=expert, then=Value(True)),
                default=Value(False),
                output_field=BooleanField(),
            ),
        )
        .order_by("i_answered", "-directed_to_me", "-created_at", "-pk")
    )
    return _paginate(queryset, page, QUESTIONS_PER_PAGE)


def questions_asked_by(*, member, viewer=None, page=1) -> Page:
    """A member's questions, newest first; hidden ones for the member and moderators."""
    moderator = is_moderator(viewer)
    queryset = Question.objects.filter(author=member)
    if not (moderator or (_signed_in(viewer) and viewer.pk == member.pk)):
        queryset = queryset.filter(is_hidden=False)
    return _paginate(_for_list(queryset).order_by("-created_at", "-pk"), page, QUESTIONS_PER_PAGE)


# --- the question page ----------------------------------------------------------------


@dataclass
class QuestionDetail:
    question: Question
    answers: Page
    comments: list[QAComment]
    is_moderator: bool = False
    is_asker: bool = False
    overdue: bool = False
    can_answer: bool = False
    # May edit community wiki answers of others (Privilege.EDIT_WIKI).
    can_edit_wiki: bool = False


def _viewer_vote(viewer, **target) -> Coalesce | Value:
    if not _signed_in(viewer):
        return Value(0, output_field=IntegerField())
    votes = Vote.objects.filter(voter=viewer, **target).values("value")[:1]
    return Coalesce(Subquery(votes), Value(0), output_field=IntegerField())


def _comments(viewer, moderator: bool) -> QuerySet:
    return (
        QAComment.objects.filter(_visible_q(viewer, moderator=moderator))
        .select_related("author")
        .order_by("created_at", "pk")
    )


def _question_row(*, viewer, pk, moderator: bool) -> Question:
    queryset = Question.objects.filter(_visible_q(viewer, moderator=moderator)).select_related(
        "author", "directed_to", "category", "product", "product__brand"
    )
    return queryset.get(pk=_parse_pk(pk))


def question_get(*, viewer, pk) -> Question:
    """One question the viewer may see (for its actions), NotFound otherwise."""
    try:
        return _question_row(viewer=viewer, pk=pk, moderator=is_moderator(viewer))
    except Question.DoesNotExist:
        raise NotFound(_("This question is not available.")) from None


def question_detail(*, viewer, pk, answers_page=1) -> QuestionDetail:
    """The question with its comments and a page of answers: the accepted one first,
    then by score, then oldest; each with author, certificate snapshot, photos,
    comments and the viewer's own vote (`viewer_vote`: 1, -1 or 0)."""
    moderator = is_moderator(viewer)
    signed_in = _signed_in(viewer)
    queryset = Question.objects.filter(_visible_q(viewer, moderator=moderator)).select_related(
        "author", "directed_to", "category", "product", "product__brand"
    )
    if signed_in:
        own_answer = Subquery(
            Answer.objects.filter(question=OuterRef("pk"), author=viewer).values("pk")[:1]
        )
    else:
        own_answer = Value(None, output_field=IntegerField())
    queryset = queryset.annotate(
        viewer_vote=_viewer_vote(viewer, question=OuterRef("pk")),
        directed_answered=_directed_answered(),
        has_knowledge_page=Exists(KnowledgeBasePage.objects.filter(source_question=OuterRef("pk"))),
        viewer_answer_id=own_answer,
    )
    try:
        question = queryset.get(pk=_parse_pk(pk))
    except Question.DoesNotExist:
        raise NotFound(_("This question is not available.")) from None
    if question.accepted_answer_id:
        is_accepted = Case(
            When(pk=question.accepted_answer_id, then=Value(True)),
            default=Value(False),
            output_field=BooleanField(),
        )
    else:
        is_accepted = Value(False, output_field=BooleanField())
    answers = (
        Answer.objects.filter(_visible_q(viewer, moderator=moderator), question=question)
        .select_related(
            "author",
            "expert_certificate",
            "expert_certificate__employer",
            "brand_affiliation",
            "edited_by",
        )
        .prefetch_related(
            Prefetch("photos", queryset=AnswerPhoto.objects.order_by("position", "pk")),
            Prefetch("comments", queryset=_comments(viewer, moderator), to_attr="visible_comments"),
        )
        .annotate(
            is_accepted=is_accepted,
            viewer_vote=_viewer_vote(viewer, answer=OuterRef("pk")),
        )
        .order_by("-is_accepted", "-score", "created_at", "pk")
    )
    page = Paginator(answers, ANSWERS_PER_PAGE).get_page(answers_page)
    page.object_list = list(page.object_list)
    for answer in page.object_list:
        answer.expert_label = answer_snapshot_label(answer)
    comments = list(_comments(viewer, moderator).filter(question=question))
    question.is_overdue = question_is_overdue(question)
    question.response_hours = (
        round((question.answer_due_at - question.created_at).total_seconds() / 3600)
        if question.answer_due_at
        else None
    )
    return QuestionDetail(
        question=question,
        answers=page,
        comments=comments,
        is_moderator=moderator,
        is_asker=signed_in and question.author_id == viewer.pk,
        overdue=question.is_overdue,
        can_answer=(
            signed_in
            and question.status == Question.Status.OPEN
            and not question.is_hidden
            and question.viewer_answer_id is None
        ),
        # The same rule as trust_services.member_has_privilege, without asking again
        # whether the viewer is a moderator.
        can_edit_wiki=moderator
        or (signed_in and rules.has_privilege(viewer.trust_level, rules.Privilege.EDIT_WIKI)),
    )


def _answer_row(*, viewer, pk, moderator: bool, related=("question", "author")) -> Answer:
    """An answer the viewer may see (hidden ones for their authors and moderators) on a
    question they may see; NotFound otherwise."""
    try:
        answer = Answer.objects.select_related(*related).get(
            _visible_q(viewer, moderator=moderator), pk=_parse_pk(pk)
        )
    except Answer.DoesNotExist:
        raise NotFound(_("This answer is not available.")) from None
    question = answer.question
    if question.is_hidden and not (
        moderator or (_signed_in(viewer) and question.author_id == viewer.pk)
    ):
        raise NotFound(_("This answer is not available."))
    return answer


def answer_get(*, viewer, pk) -> Answer:
    """One answer the viewer may see, with its question (for its actions)."""
    return _answer_row(viewer=viewer, pk=pk, moderator=is_moderator(viewer))


# --- edit history -----------------------------------------------------------------------


@dataclass
class AnswerHistory:
    answer: Answer
    revisions: Page
    # The viewer may restore a version now: the author or a moderator, on an open
    # question, the answer shown (services.answer_revision_restore checks it again).
    can_restore: bool = False


def _can_restore(viewer, answer: Answer, moderator: bool) -> bool:
    return (
        _signed_in(viewer)
        and (moderator or answer.author_id == viewer.pk)
        and answer.question.status == Question.Status.OPEN
        and not answer.question.is_hidden
        and not answer.is_hidden
    )


def answer_history(*, viewer, pk, page=1) -> AnswerHistory:
    """The earlier versions of an answer the viewer may see, newest first, each with
    who wrote it and its text rendered as the answer is (community.text.render_markdown,
    the Markdown renderer and sanitiser whose output answers store)."""
    moderator = is_moderator(viewer)
    answer = _answer_row(
        viewer=viewer,
        pk=pk,
        moderator=moderator,
        related=("question", "author", "edited_by"),
    )
    revisions = (
        AnswerRevision.objects.filter(answer=answer)
        .select_related("editor")
        .order_by("-created_at", "-pk")
    )
    revisions_page = Paginator(revisions, REVISIONS_PER_PAGE).get_page(page)
    revisions_page.object_list = list(revisions_page.object_list)
    for revision in revisions_page.object_list:
        revision.body_html = render_markdown(revision.body)
    return AnswerHistory(
        answer=answer,
        revisions=revisions_page,
        can_restore=_can_restore(viewer, answer, moderator),
    )


def answer_revision_get(*, viewer, pk) -> AnswerRevision:
    """One earlier version of an answer the viewer may see, with the answer and its
    question, its text rendered (`body_html`) and `can_restore` as in answer_history."""
    moderator = is_moderator(viewer)
    try:
        revision = AnswerRevision.objects.select_related("editor").get(pk=_parse_pk(pk))
    except AnswerRevision.DoesNotExist:
        raise NotFound(_("This version is not available.")) from None
    try:
        revision.answer = _answer_row(viewer=viewer, pk=revision.answer_id, moderator=moderator)
    except NotFound:
        raise NotFound(_("This version is not available.")) from None
    revision.body_html = render_markdown(revision.body)
    revision.can_restore = _can_restore(viewer, revision.answer, moderator)
    return revision


def answer_of_member(*, member, question) -> Answer | None:
    """The member's answer to the question, if they wrote one."""
    if not _signed_in(member):
        return None
    return Answer.objects.filter(question=question, author=member).first()


def comment_get(*, viewer, pk) -> QAComment:
    """One comment the viewer may see, with what it is on."""
    moderator = is_moderator(viewer)
    try:
        comment = QAComment.objects.select_related("question", "answer", "answer__question").get(
            _visible_q(viewer, moderator=moderator), pk=_parse_pk(pk)
        )
    except QAComment.DoesNotExist:
        raise NotFound(_("This comment is not available.")) from None
    question = comment.question or comment.answer.question
    if question.is_hidden and not (
        moderator or (_signed_in(viewer) and question.author_id == viewer.pk)
    ):
        raise NotFound(_("This comment is not available."))
    comment.on_question = question
    return comment


# --- the ask form ---------------------------------------------------------------------


@dataclass
class AskTargets:
    product: Product | None = None
    expert: Member | None = None
    profile: ExpertProfile | None = None


def ask_targets(*, product_id=None, expert_id=None) -> AskTargets:
    """The product and the expert a question form was opened for (`?product=`,
    `?expert=`); unknown ones, and members who are not current experts, are NotFound."""
    targets = AskTargets()
    if product_id not in (None, ""):
        try:
            targets.product = Product.objects.select_related("brand", "category").get(
                pk=_parse_pk(product_id)
            )
        except Product.DoesNotExist:
            raise NotFound(_("No such product.")) from None
    if expert_id not in (None, ""):
        try:
            expert = Member.objects.select_related("expert_profile").get(
                pk=_parse_pk(expert_id), is_active=True
            )
        except Member.DoesNotExist:
            raise NotFound(_("No such expert.")) from None
        if certificate_for_field(member=expert) is None:
            raise NotFound(_("No such expert."))
        targets.expert = expert
        targets.profile = getattr(expert, "expert_profile", None)
    return targets


def categories_for_filter() -> QuerySet[Category]:
    return Category.objects.order_by("name")

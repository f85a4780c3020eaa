"""Pages and actions of questions and answers: parse input, call one service or
selector, render.

Every action works as a plain POST form with a redirect; votes and acceptance also
answer JSON clients (`Accept: application/json`) with the new state or a JSON 4xx.
Refusals become form errors, a 403 page, a 404, or a message, never a 500."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community.errors import AccessDenied, Conflict, DomainError, NotFound
from community.http import domain_error_json, form_add_domain_error, safe_next_url, wants_json
from community.members.selectors import is_moderator
from community.reputation.activity import note_items_read
from experts.forms.questions import (
    AnswerEditForm,
    AnswerForm,
    AskForm,
    CloseForm,
    CommentForm,
    QuestionFilterForm,
    ReasonForm,
    VoteForm,
)
from experts.models import Vote
from experts.selectors import questions as selectors
from experts.services import questions as services

# --- helpers --------------------------------------------------------------------------


def _forbidden(request, exc: AccessDenied):
    if exc.code == "login_required" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if wants_json(request):
        return domain_error_json(exc)
    return render(request, "403.html", {"message": exc.message}, status=403)


def _failed(request, exc: DomainError, *, fallback: str):
    """A refused action without a form of its own: 403 page, 404, JSON 4xx, or a
    message and back to where the member was."""
    if isinstance(exc, AccessDenied):
        return _forbidden(request, exc)
    if wants_json(request):
        return domain_error_json(exc)
    if isinstance(exc, NotFound):
        raise Http404(exc.message)
    messages.error(request, exc.message)
    return redirect(safe_next_url(request, fallback))


def _question_or_404(request, pk):
    try:
        return selectors.question_get(viewer=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _answer_or_404(request, pk):
    try:
        return selectors.answer_get(viewer=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _question_url(question_id) -> str:
    return reverse("experts:question_detail", args=[question_id])


def _answer_url(answer) -> str:
    return _question_url(answer.question_id) + f"#answer-{answer.pk}"


def _render_question(request, pk, *, answer_form=None, status=200):
    try:
        detail = selectors.question_detail(
            viewer=request.user, pk=pk, answers_page=request.GET.get("page")
        )
    except NotFound as exc:
        raise Http404(exc.message) from None
    # What the member was shown counts toward their trust level (items read), except
    # what they wrote themselves.
    viewer_id = request.user.pk if request.user.is_authenticated else None
    question = detail.question
    read = [f"question:{question.pk}"] if question.author_id != viewer_id else []
    read += [
        f"answer:{answer.pk}"
        for answer in detail.answers.object_list
        if answer.author_id != viewer_id
    ]
    note_items_read(request, read)
    return render(
        request,
        "experts/questions/question_detail.html",
        {
            "detail": detail,
            "question": detail.question,
            "page": detail.answers,
            "answer_form": answer_form or AnswerForm(),
            "vote_reasons": Vote.Reason.choices,
        },
        status=status,
    )


# --- lists ----------------------------------------------------------------------------


@require_GET
def question_list(request):
    form = QuestionFilterForm(request.GET or None)
    filters = form.filters() if request.GET else {}
    page = selectors.question_list(
        viewer=request.user, filters=filters, page=request.GET.get("page")
    )
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "experts/questions/question_list.html",
        {"form": form, "filters": filters, "page": page, "query": query.urlencode()},
    )


@login_required
@require_GET
def questions_for_me(request):
    page = selectors.questions_for_expert(expert=request.user, page=request.GET.get("page"))
    return render(request, "experts/questions/questions_for_me.html", {"page": page})


@login_required
@require_GET
def questions_mine(request):
    page = selectors.questions_asked_by(
        member=request.user, viewer=request.user, page=request.GET.get("page")
    )
    return render(request, "experts/questions/questions_mine.html", {"page": page})


# --- asking ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def question_ask(request):
    """The ask form, also opened from a product page (`?product=`) or an expert's
    profile (`?expert=`); those stay in the URL the form posts to."""
    try:
        targets = selectors.ask_targets(
            product_id=request.GET.get("product"), expert_id=request.GET.get("expert")
        )
    except NotFound as exc:
        raise Http404(exc.message) from None
    form = AskForm(request.POST or None, has_product=targets.product is not None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            question = services.question_ask(
                author=request.user,
                title=data["title"],
                body=data["body"],
                product=targets.product,
                category=data.get("category"),
                directed_to=targets.expert,
            )
        except AccessDenied as exc:
            return _forbidden(request, exc)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            if targets.expert is not None:
                messages.success(
                    request,
                    _("Your question is sent to %(name)s.") % {"name": targets.expert.public_name},
                )
            else:
                messages.success(request, _("Your question is published."))
            return redirect(question.get_absolute_url())
    return render(
        request,
        "experts/questions/question_form.html",
        {"form": form, "targets": targets},
        status=400 if form.errors else 200,
    )


# --- the question page and answers ----------------------------------------------------


@require_GET
def question_detail(request, pk):
    return _render_question(request, pk)


@login_required
@require_http_methods(["GET", "POST"])
def answer_create(request, question_pk):
    question = _question_or_404(request, question_pk)
    if request.method == "GET":
        return redirect(_question_url(question.pk) + "#answer-form")
    form = AnswerForm(request.POST, request.FILES)
    status = 400
    if form.is_valid():
        try:
            answer = services.answer_create(
                author=request.user,
                question=question,
                body=form.cleaned_data["body"],
                photo_uploads=form.cleaned_data["photos"],
                is_wiki=form.cleaned_data["is_wiki"],
            )
        except AccessDenied as exc:
            return _forbidden(request, exc)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except Conflict as exc:
            if exc.code == "already_answered":
                messages.info(request, exc.message)
                own = selectors.answer_of_member(member=request.user, question=question)
                if own is not None:
                    return redirect("experts:answer_edit", pk=own.pk)
            form_add_domain_error(form, exc)
            status = exc.status_code
        except DomainError as exc:
            form_add_domain_error(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("Thank you! Your answer is published."))
            return redirect(_answer_url(answer))
    if request.FILES:
        messages.warning(request, _("Your text is kept below; please choose your photos again."))
    return _render_question(request, question.pk, answer_form=form, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def answer_edit(request, pk):
    """The author edits their answer; members of trust level 3 also community wiki
    answers of others (services.access_answer_edit)."""
    answer = _answer_or_404(request, pk)
    try:
        services.access_answer_edit(editor=request.user, answer=answer)
    except AccessDenied as exc:
        return _forbidden(request, exc)
    is_author = answer.author_id == request.user.pk
    form = AnswerEditForm(
        request.POST or None,
        initial={"body": answer.body, "is_wiki": answer.is_wiki},
        is_author=is_author,
    )
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                services.answer_update(
                    editor=request.user,
                    answer=answer,
                    body=form.cleaned_data["body"],
                    is_wiki=form.cleaned_data["is_wiki"] if is_author else None,
                )
            except AccessDenied as exc:
                return _forbidden(request, exc)
            except NotFound as exc:
                raise Http404(exc.message) from None
            except DomainError as exc:
                form_add_domain_error(form, exc)
                status = exc.status_code
            else:
                if is_author:
                    messages.success(request, _("Your answer is updated."))
                else:
                    messages.success(request, _("Thank you for improving this answer."))
                return redirect(_answer_url(answer))
    return render(
        request,
        "experts/questions/answer_form.html",
        {"form": form, "answer": answer, "question": answer.question, "is_author": is_author},
        status=status,
    )


@require_GET
def answer_history(request, pk):
    """An answer's earlier versions, to whoever can see the answer."""
    try:
        history = selectors.answer_history(viewer=request.user, pk=pk, page=request.GET.get("page"))
    except NotFound as exc:
        raise Http404(exc.message) from None
    return render(
        request,
        "experts/questions/answer_history.html",
        {
            "history": history,
            "answer": history.answer,
            "question": history.answer.question,
            "page": history.revisions,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def answer_revision_restore(request, pk):
    """The answer's author or a moderator confirms, then restores, an earlier version."""
    try:
        revision = selectors.answer_revision_get(viewer=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    answer = revision.answer
    try:
        services.access_answer_restore(actor=request.user, answer=answer)
    except AccessDenied as exc:
        return _forbidden(request, exc)
    error = None
    status = 200
    if request.method == "POST":
        try:
            services.answer_revision_restore(actor=request.user, revision=revision)
        except AccessDenied as exc:
            return _forbidden(request, exc)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except DomainError as exc:
            error = exc.message
            status = exc.status_code
        else:
            messages.success(request, _("The earlier version is restored."))
            return redirect(_answer_url(answer))
    return render(
        request,
        "experts/questions/answer_revision_restore.html",
        {
            "revision": revision,
            "answer": answer,
            "question": answer.question,
            "error": error,
            "history_url": reverse("experts:answer_history", args=[answer.pk]),
        },
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def answer_delete(request, pk):
    answer = _answer_or_404(request, pk)
    if answer.author_id != request.user.pk:
        return _forbidden(request, AccessDenied(_("You can only delete your own answers.")))
    if request.method == "POST":
        try:
            services.answer_delete(author=request.user, answer=answer)
        except DomainError as exc:
            return _failed(request, exc, fallback=_answer_url(answer))
        messages.success(request, _("Your answer is deleted."))
        return redirect(_question_url(answer.question_id))
    return render(
        request,
        "experts/questions/answer_confirm_delete.html",
        {"answer": answer, "question": answer.question},
    )


@require_POST
def answer_accept(request, answer_pk):
    """Accept (or with action=unaccept, take back) an answer: the asker only."""
    if not request.user.is_authenticated:
        exc = AccessDenied(_("Please log in first."), code="login_required")
        if wants_json(request):
            return domain_error_json(exc)
        return redirect_to_login(safe_next_url(request, reverse("experts:question_list")))
    answer = _answer_or_404(request, answer_pk)
    undo = request.POST.get("action") == "unaccept"
    try:
        if undo:
            question = services.answer_unaccept(member=request.user, question=answer.question)
        else:
            question = services.answer_accept(member=request.user, answer=answer)
    except DomainError as exc:
        return _failed(request, exc, fallback=_answer_url(answer))
    if wants_json(request):
        return JsonResponse({"accepted_answer": question.accepted_answer_id})
    if undo:
        messages.success(request, _("The answer is no longer marked as accepted."))
    else:
        messages.success(request, _("You accepted this answer. Thank you for closing the loop!"))
    return redirect(_answer_url(answer))


# --- votes ----------------------------------------------------------------------------


@require_POST
def vote(request):
    """Up, down (with a reason) or withdraw, on a question or an answer. JSON clients
    get the new counts; plain forms go back, or to a small page that shows what was
    wrong (a down vote without a reason, a second identical vote)."""
    if not request.user.is_authenticated:
        exc = AccessDenied(_("Please log in to vote."), code="login_required")
        if wants_json(request):
            return domain_error_json(exc)
        return redirect_to_login(safe_next_url(request, reverse("experts:question_list")))
    form = VoteForm(request.POST)
    if not form.is_valid():
        if wants_json(request):
            return domain_error_json(DomainError(_("Choose how to vote.")))
        return render(request, "experts/questions/vote_form.html", {"form": form}, status=400)
    data = form.cleaned_data
    try:
        if data.get("answer"):
            target = selectors.answer_get(viewer=request.user, pk=data["answer"])
            fallback = _answer_url(target)
        else:
            target = selectors.question_get(viewer=request.user, pk=data["question"])
            fallback = _question_url(target.pk)
    except NotFound as exc:
        if wants_json(request):
            return domain_error_json(exc)
        raise Http404(exc.message) from None
    try:
        if data["value"] == "withdraw":
            target = services.vote_withdraw(voter=request.user, target=target)
        else:
            value = Vote.UP if data["value"] == "up" else Vote.DOWN
            target = services.vote_cast(
                voter=request.user, target=target, value=value, reason=data.get("reason", "")
            )
    except AccessDenied as exc:
        return _forbidden(request, exc)
    except NotFound as exc:
        if wants_json(request):
            return domain_error_json(exc)
        raise Http404(exc.message) from None
    except DomainError as exc:
        if wants_json(request):
            return domain_error_json(exc)
        form_add_domain_error(form, exc)
        return render(
            request,
            "experts/questions/vote_form.html",
            {"form": form, "target": target, "back_url": fallback},
            status=exc.status_code,
        )
    if wants_json(request):
        return JsonResponse(
            {
                "score": target.score,
                "up_count": getattr(target, "up_count", None),
                "down_count": getattr(target, "down_count", None),
                "viewer_vote": target.viewer_vote,
            }
        )
    return redirect(safe_next_url(request, fallback))


# --- comments -------------------------------------------------------------------------


@login_required
@require_POST
def comment_create(request):
    form = CommentForm(request.POST)
    question = answer = None
    status = 400
    if form.is_valid():
        data = form.cleaned_data
        try:
            if data.get("answer"):
                answer = selectors.answer_get(viewer=request.user, pk=data["answer"])
                question = answer.question
            else:
                question = selectors.question_get(viewer=request.user, pk=data["question"])
            comment = services.comment_create(
                author=request.user,
                body=data["body"],
                question=None if answer else question,
                answer=answer,
            )
        except AccessDenied as exc:
            return _forbidden(request, exc)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except DomainError as exc:
            form_add_domain_error(form, exc)
            status = exc.status_code
        else:
            messages.success(request, _("Your comment is published."))
            return redirect(_question_url(question.pk) + f"#comment-{comment.pk}")
    return render(
        request,
        "experts/questions/comment_form.html",
        {"form": form, "question": question, "answer": answer},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_delete(request, pk):
    try:
        comment = selectors.comment_get(viewer=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    is_author = comment.author_id == request.user.pk
    if not (is_author or is_moderator(request.user)):
        return _forbidden(request, AccessDenied(_("You can only delete your own comments.")))
    back = _question_url(comment.on_question.pk)
    if request.method == "POST":
        try:
            services.comment_delete(actor=request.user, comment=comment)
        except DomainError as exc:
            return _failed(request, exc, fallback=back)
        if is_author:
            messages.success(request, _("Your comment is deleted."))
        else:
            messages.success(request, _("The comment is hidden."))
        return redirect(back)
    return render(
        request,
        "experts/questions/comment_confirm_delete.html",
        {"comment": comment, "is_author": is_author, "back_url": back},
    )


# --- closing and moderation -----------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def question_close(request, pk):
    question = _question_or_404(request, pk)
    if question.author_id != request.user.pk and not is_moderator(request.user):
        return _forbidden(
            request,
            AccessDenied(_("Only the person who asked and moderators can close a question.")),
        )
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.question_close(
                actor=request.user, question=question, reason=form.cleaned_data["reason"]
            )
        except AccessDenied as exc:
            return _forbidden(request, exc)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("The question is closed."))
            return redirect(question.get_absolute_url())
    return render(
        request,
        "experts/questions/question_close.html",
        {"form": form, "question": question},
        status=400 if form.errors else 200,
    )


def _moderator_only(request):
    if not is_moderator(request.user):
        return _forbidden(request, AccessDenied(_("Only moderators can do this.")))
    return None


@login_required
@require_http_methods(["GET", "POST"])
def question_reopen(request, pk):
    question = _question_or_404(request, pk)
    refused = _moderator_only(request)
    if refused:
        return refused
    if request.method == "POST":
        try:
            services.question_reopen(moderator=request.user, question=question)
        except DomainError as exc:
            return _failed(request, exc, fallback=question.get_absolute_url())
        messages.success(request, _("The question is open again."))
        return redirect(question.get_absolute_url())
    return render(
        request,
        "experts/questions/moderate_confirm.html",
        {"action": "reopen", "question": question, "back_url": question.get_absolute_url()},
    )


def _moderate(request, *, question=None, answer=None, hide: bool):
    """Hide (with a reason) or restore a question or an answer, after a confirmation."""
    refused = _moderator_only(request)
    if refused:
        return refused
    back = _answer_url(answer) if answer is not None else question.get_absolute_url()
    form = ReasonForm(request.POST or None) if hide else None
    if request.method == "POST" and (form is None or form.is_valid()):
        try:
            if answer is not None and hide:
                services.answer_hide(
                    moderator=request.user, answer=answer, reason=form.cleaned_data["reason"]
                )
            elif answer is not None:
                services.answer_restore(moderator=request.user, answer=answer)
            elif hide:
                services.question_hide(
                    moderator=request.user, question=question, reason=form.cleaned_data["reason"]
                )
            else:
                services.question_restore(moderator=request.user, question=question)
        except AccessDenied as exc:
            return _forbidden(request, exc)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except DomainError as exc:
            if form is None:
                return _failed(request, exc, fallback=back)
            form_add_domain_error(form, exc)
        else:
            if hide:
                messages.success(request, _("It is hidden."))
            else:
                messages.success(request, _("It is shown again."))
            return redirect(back)
    return render(
        request,
        "experts/questions/moderate_confirm.html",
        {
            "action": "hide" if hide else "restore",
            "question": question if question is not None else answer.question,
            "answer": answer,
            "form": form,
            "back_url": back,
        },
        status=400 if form is not None and form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def question_hide(request, pk):
    return _moderate(request, question=_question_or_404(request, pk), hide=True)


@login_required
@require_http_methods(["GET", "POST"])
def question_restore(request, pk):
    return _moderate(request, question=_question_or_404(request, pk), hide=False)


@login_required
@require_http_methods(["GET", "POST"])
def answer_hide(request, pk):
    return _moderate(request, answer=_answer_or_404(request, pk), hide=True)


@login_required
@require_http_methods(["GET", "POST"])
def answer_restore(request, pk):
    return _moderate(request, answer=_answer_or_404(request, pk), hide=False)

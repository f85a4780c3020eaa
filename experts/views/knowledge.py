"""Promoting an accepted answer into the knowledge base (moderators): a confirmation
page on GET, the promotion on POST, then the new page. Thin: the rules live in
experts.services.knowledge."""

from django.contrib import messages
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from community.errors import AccessDenied, Conflict, DomainError, NotFound
from community.http import domain_error_json, wants_json
from experts.selectors import knowledge as selectors
from experts.services import knowledge as services


def _answer_url(answer) -> str:
    return f"{answer.question.get_absolute_url()}#answer-{answer.pk}"


def _refused(request, exc: DomainError):
    if exc.code == "login_required" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if wants_json(request):
        return domain_error_json(exc)
    if isinstance(exc, NotFound):
        raise Http404(exc.message)
    return render(request, "403.html", {"message": exc.message}, status=403)


def _confirm(request, answer, *, refusal: DomainError | None, status: int = 200):
    existing = None
    if refusal is not None and refusal.code == "already_promoted":
        existing = selectors.knowledge_page_for_question(question_id=answer.question_id)
    return render(
        request,
        "experts/knowledge/promote_confirm.html",
        {
            "answer": answer,
            "question": answer.question,
            "refusal": refusal,
            "existing_page": existing,
            "back_url": _answer_url(answer),
        },
        status=status,
    )


@require_http_methods(["GET", "POST"])
def answer_promote(request, answer_pk):
    try:
        answer = selectors.answer_for_promotion(viewer=request.user, pk=answer_pk)
    except (AccessDenied, NotFound) as exc:
        return _refused(request, exc)
    if request.method == "GET":
        return _confirm(request, answer, refusal=services.promotion_refusal(answer=answer))
    try:
        page = services.answer_promote(moderator=request.user, answer=answer)
    except (AccessDenied, NotFound) as exc:
        return _refused(request, exc)
    except DomainError as exc:
        if wants_json(request):
            return domain_error_json(exc)
        status = 409 if isinstance(exc, Conflict) else 400
        return _confirm(request, answer, refusal=exc, status=status)
    url = page.get_url(request) or _answer_url(answer)
    if wants_json(request):
        return JsonResponse({"page": page.pk, "url": url}, status=201)
    messages.success(request, _("The answer is now a knowledge-base page."))
    return redirect(url)

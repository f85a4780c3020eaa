"""Pages and actions of reviews: parse input, call one service, render."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from brand_clubs.selectors import product_get_by_id
from brand_clubs.services import access_brand_staff, is_brand_staff
from community.errors import AccessDenied, DomainError, NotFound
from community.http import domain_error_json, form_add_domain_error, safe_next_url, wants_json
from community.members.selectors import is_moderator
from community.reputation.rules import Privilege
from community.reputation.trust_services import access_privilege
from community.reviews import selectors, services
from community.reviews.forms import BrandReplyForm, FlagForm, ReviewEditForm, ReviewForm


def _readable_review(request, pk):
    try:
        review = selectors.review_get(pk=pk, viewer=request.user)
        services.access_review_read(user=request.user, review=review)
    except NotFound as exc:
        raise Http404(exc.message) from None
    return review


def _forbidden(request, exc: AccessDenied):
    return render(request, "403.html", {"message": exc.message}, status=403)


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request, product_id):
    product = product_get_by_id(pk=product_id)
    existing = selectors.review_of_member_for_product(member=request.user, product=product)
    if existing is not None:
        messages.info(request, _("You have already reviewed this product; edit your review here."))
        return redirect("reviews:edit", pk=existing.pk)
    form = ReviewForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.review_create(
                author=request.user,
                product=product,
                rating=data["rating"],
                title=data["title"],
                body=data["body"],
                photos=data["photos"],
                purchase_code=data["purchase_code"],
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Thank you! Your review is published."))
            return redirect(product.get_absolute_url() + f"#review-{review.pk}")
    if form.errors and request.FILES:
        messages.warning(request, _("Your text is kept below; please choose your photos again."))
    status = 400 if form.errors else 200
    return render(
        request, "reviews/review_form.html", {"form": form, "product": product}, status=status
    )


def review_detail(request, pk):
    review = _readable_review(request, pk)
    can_reply = is_brand_staff(user=request.user, brand=review.product.brand)
    return render(
        request,
        "reviews/review_detail.html",
        {"review": review, "product": review.product, "can_reply": can_reply},
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request, pk):
    review = _readable_review(request, pk)
    try:
        services.access_review_edit(user=request.user, review=review)
    except AccessDenied as exc:
        return _forbidden(request, exc)
    photos = list(review.photos.all())
    initial = {"rating": review.rating, "title": review.title, "body": review.body}
    form = ReviewEditForm(
        request.POST or None, request.FILES or None, initial=initial, photos=photos
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            review = services.review_update(
                review=review,
                editor=request.user,
                rating=data["rating"],
                title=data["title"],
                body=data["body"],
                add_photos=data["photos"],
                remove_photo_ids=data["remove_photos"],
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Your review is updated."))
            return redirect(review.product.get_absolute_url() + f"#review-{review.pk}")
    status = 400 if form.errors else 200
    return render(
        request,
        "reviews/review_form.html",
        {"form": form, "product": review.product, "review": review, "photos": photos},
        status=status,
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_delete(request, pk):
    review = _readable_review(request, pk)
    try:
        services.access_review_edit(user=request.user, review=review)
    except AccessDenied as exc:
        return _forbidden(request, exc)
    if request.method == "POST":
        services.review_delete(review=review, actor=request.user)
        messages.success(request, _("Your review is deleted."))
        return redirect(review.product.get_absolute_url())
    return render(request, "reviews/review_confirm_delete.html", {"review": review})


@require_POST
def review_helpful(request, pk):
    """Mark or unmark a review helpful. Answers htmx with the button, JSON clients
    with the count, and plain forms with a redirect back."""
    if not request.user.is_authenticated:
        if wants_json(request) or request.htmx:
            return domain_error_json(AccessDenied(_("Please log in to mark reviews helpful.")))
        return redirect_to_login(safe_next_url(request, request.path))
    review = _readable_review(request, pk)
    undo = request.POST.get("action") == "unmark"
    try:
        if undo:
            review = services.review_unmark_helpful(review=review, voter=request.user)
        else:
            review = services.review_mark_helpful(review=review, voter=request.user)
    except DomainError as exc:
        if wants_json(request) or request.htmx:
            return domain_error_json(exc)
        messages.error(request, exc.message)
        return redirect(safe_next_url(request, review.product.get_absolute_url()))
    review.viewer_voted = not undo
    if request.htmx:
        return render(request, "reviews/_helpful.html", {"review": review})
    if wants_json(request):
        return JsonResponse({"helpful_count": review.helpful_count, "voted": not undo})
    return redirect(
        safe_next_url(request, review.product.get_absolute_url() + f"#review-{review.pk}")
    )


@login_required
@require_http_methods(["GET", "POST"])
def review_flag(request, pk):
    review = _readable_review(request, pk)
    form = FlagForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.review_flag(
                review=review,
                reporter=request.user,
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Thank you. Moderators will look at this review."))
            return redirect(review.product.get_absolute_url() + f"#review-{review.pk}")
    status = 400 if form.errors else 200
    return render(
        request, "reviews/flag_form.html", {"form": form, "review": review}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def brand_reply(request, pk):
    review = _readable_review(request, pk)
    try:
        access_brand_staff(user=request.user, brand=review.product.brand)
    except AccessDenied as exc:
        return _forbidden(request, exc)
    existing = getattr(review, "brand_reply", None)
    form = BrandReplyForm(request.POST or None, initial={"body": existing.body if existing else ""})
    if request.method == "POST" and form.is_valid():
        try:
            services.brand_reply_save(
                review=review, author=request.user, body=form.cleaned_data["body"]
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Your official reply is published."))
            return redirect(review.product.get_absolute_url() + f"#review-{review.pk}")
    status = 400 if form.errors else 200
    return render(
        request, "reviews/brand_reply_form.html", {"form": form, "review": review}, status=status
    )


@login_required
@require_GET
def moderation_queue(request):
    """The flagged reviews as moderators see them, read only, for members of trust
    level 3 (Privilege.VIEW_MODERATION_QUEUE); moderators act in the back office."""
    try:
        access_privilege(request.user, Privilege.VIEW_MODERATION_QUEUE)
    except AccessDenied as exc:
        return _forbidden(request, exc)
    page = selectors.moderation_queue_page(page=request.GET.get("page"))
    return render(
        request,
        "reviews/moderation_queue.html",
        {"page": page, "is_moderator": is_moderator(request.user)},
    )

"""Pages and actions of club feeds: parse input, call one service or selector, render.

Every action works as a plain POST form; htmx (the like button) and JSON clients get
a fragment or a JSON body, and a JSON 4xx body when something is refused. A viewer who
may not read a private club gets a 403 page that says how to join; posts, comments and
photos the viewer may not see are 404s, whatever club the URL names."""

from django import forms
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from brand_clubs.models import ClubPost
from brand_clubs.models.clubs import MAX_PHOTOS_PER_POST
from brand_clubs.selectors import feed as selectors
from brand_clubs.services import feed as services
from brand_clubs.services.access import (
    access_club_moderate_content,
    access_club_read,
    club_standing,
    post_needs_premoderation,
)
from brand_clubs.views.clubs import club_or_404
from community.errors import AccessDenied, DomainError, NotFound
from community.http import domain_error_json, form_add_domain_error, safe_next_url, wants_json
from community.private_media import private_file_response
from community.reputation.activity import note_items_read
from community.reviews.forms import MultipleFileField

COMMENTS_PER_PAGE = 50
PENDING_PER_PAGE = 50


# --- forms ----------------------------------------------------------------------------


class PostForm(forms.Form):
    body = forms.CharField(
        label=_("Share something with the club"),
        max_length=services.MAX_POST_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Markdown works: **bold**, *italic*, lists and links."),
    )
    photos = MultipleFileField(label=_("Photos"), required=False)
    announcement = forms.BooleanField(label=_("Announcement: notify every member"), required=False)

    def __init__(self, *args, can_announce: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not can_announce:
            del self.fields["announcement"]
        # Formatted per request: a lazy string formatted at import would stay English.
        self.fields["photos"].help_text = gettext(
            "Up to %(count)d photos: JPEG, PNG, WebP or HEIC, at most 15 MB each."
        ) % {"count": MAX_PHOTOS_PER_POST}


class PostEditForm(forms.Form):
    body = forms.CharField(
        label=_("Post"),
        max_length=services.MAX_POST_LENGTH,
        required=False,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text=_("Markdown works: **bold**, *italic*, lists and links."),
    )


class CommentForm(forms.Form):
    body = forms.CharField(
        label=_("Comment"),
        max_length=services.MAX_COMMENT_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=_("Reason"),
        max_length=services.MAX_REASON_LENGTH,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Kept in the club's audit log."),
    )


# --- helpers --------------------------------------------------------------------------


def _club_and_standing(request, slug):
    club = club_or_404(slug)
    return club, club_standing(user=request.user, club=club)


def _forbidden(request, exc: AccessDenied, *, club=None):
    """Anonymous visitors asked to log in go to the login page; everyone else gets a
    403 page (with a join link when joining would help)."""
    if exc.code == "login_required" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    if wants_json(request) or request.htmx:
        return domain_error_json(exc)
    return render(
        request,
        "brand_clubs/feed_403.html",
        {"message": exc.message, "club": club, "code": exc.code},
        status=403,
    )


def _readable_club(request, slug):
    """The club and the viewer's standing, or an AccessDenied for a non-reader."""
    club, standing = _club_and_standing(request, slug)
    access_club_read(user=request.user, club=club, standing=standing)
    return club, standing


def _post_or_404(club, pk, request, standing) -> ClubPost:
    try:
        return selectors.post_get(club=club, pk=pk, viewer=request.user, standing=standing)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _comment_or_404(club, pk, request, standing):
    try:
        return selectors.comment_get(club=club, pk=pk, viewer=request.user, standing=standing)
    except NotFound as exc:
        raise Http404(exc.message) from None


def _post_url(post: ClubPost, club) -> str:
    return reverse("brand_clubs:post", args=[club.slug, post.pk])


def _note_read(request, posts) -> None:
    """Count the posts shown to a signed-in member toward their trust level ("posts
    read"), except their own: one UPDATE at most (community/reputation/activity.py)."""
    viewer_id = request.user.pk if request.user.is_authenticated else None
    note_items_read(request, [f"post:{post.pk}" for post in posts if post.author_id != viewer_id])


def _action_failed(request, exc: DomainError, *, club, fallback: str):
    """A refused action that has no form: 403 page, JSON body, or a message and back."""
    if isinstance(exc, AccessDenied):
        return _forbidden(request, exc, club=club)
    if wants_json(request) or request.htmx:
        return domain_error_json(exc)
    if isinstance(exc, NotFound):
        raise Http404(exc.message)
    messages.error(request, exc.message)
    return redirect(safe_next_url(request, fallback))


# --- feed and posts -------------------------------------------------------------------


@require_http_methods(["GET", "POST"])
def club_feed(request, slug):
    club, standing = _club_and_standing(request, slug)
    try:
        access_club_read(user=request.user, club=club, standing=standing)
    except AccessDenied as exc:
        return _forbidden(request, exc, club=club)
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = PostForm(request.POST or None, request.FILES or None, can_announce=standing.can_own)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        announce = data.get("announcement", False)
        try:
            post = services.post_create(
                club=club,
                author=request.user,
                body=data["body"],
                photos=data["photos"],
                kind=ClubPost.Kind.ANNOUNCEMENT if announce else ClubPost.Kind.POST,
                standing=standing,
            )
        except AccessDenied as exc:
            return _forbidden(request, exc, club=club)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            if announce:
                messages.success(request, gettext("Your announcement is published."))
            elif post.status == ClubPost.Status.PENDING:
                messages.success(
                    request,
                    gettext(
                        "Thank you! Your post is waiting for a moderator: the club will see "
                        "it once it is approved."
                    ),
                )
            else:
                messages.success(request, gettext("Your post is published."))
            return redirect(reverse("brand_clubs:club_feed", args=[club.slug]) + f"#post-{post.pk}")
    if form.errors and request.FILES:
        messages.warning(
            request, gettext("Your text is kept below; please choose your photos again.")
        )
    posts = selectors.post_list_for_club(club=club, viewer=request.user, standing=standing)
    page = Paginator(posts, settings.CLUB_FEED_PAGE_SIZE).get_page(request.GET.get("page"))
    _note_read(request, page.object_list)
    return render(
        request,
        "brand_clubs/feed.html",
        {"club": club, "standing": standing, "page": page, "form": form},
        status=400 if form.errors else 200,
    )


@require_http_methods(["GET", "POST"])
def post_detail(request, slug, pk):
    club, standing = _club_and_standing(request, slug)
    try:
        access_club_read(user=request.user, club=club, standing=standing)
    except AccessDenied as exc:
        return _forbidden(request, exc, club=club)
    post = _post_or_404(club, pk, request, standing)
    if request.method == "POST" and not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    form = CommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            comment = services.comment_create(
                post=post, author=request.user, body=form.cleaned_data["body"]
            )
        except AccessDenied as exc:
            return _forbidden(request, exc, club=club)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, gettext("Your comment is published."))
            return redirect(_post_url(post, club) + f"#comment-{comment.pk}")
    comments = selectors.comment_list_for_post(post=post, viewer=request.user, standing=standing)
    page = Paginator(comments, COMMENTS_PER_PAGE).get_page(request.GET.get("page"))
    _note_read(request, [post])
    return render(
        request,
        "brand_clubs/post_detail.html",
        {"club": club, "standing": standing, "post": post, "page": page, "form": form},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def post_edit(request, slug, pk):
    try:
        club, standing = _readable_club(request, slug)
    except AccessDenied as exc:
        return _forbidden(request, exc)
    post = _post_or_404(club, pk, request, standing)
    if post.author_id != request.user.pk:
        return _forbidden(request, AccessDenied(gettext("You can only edit your own posts.")))
    form = PostEditForm(request.POST or None, initial={"body": post.body})
    if request.method == "POST" and form.is_valid():
        try:
            updated = services.post_update(
                post=post, editor=request.user, body=form.cleaned_data["body"]
            )
        except AccessDenied as exc:
            return _forbidden(request, exc, club=club)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            if post.status == ClubPost.Status.PUBLISHED and updated.is_edit_pending:
                messages.success(
                    request,
                    gettext(
                        "Your edit is waiting for a moderator: the club will see your post "
                        "again once it is approved."
                    ),
                )
            else:
                messages.success(request, gettext("Your post is updated."))
            return redirect(_post_url(post, club))
    # Warn before the edit that a published post will wait for a moderator again.
    edit_needs_review = post.status == ClubPost.Status.PUBLISHED and post_needs_premoderation(
        user=request.user, standing=standing
    )
    return render(
        request,
        "brand_clubs/post_form.html",
        {"club": club, "post": post, "form": form, "edit_needs_review": edit_needs_review},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def post_delete(request, slug, pk):
    try:
        club, standing = _readable_club(request, slug)
    except AccessDenied as exc:
        return _forbidden(request, exc)
    post = _post_or_404(club, pk, request, standing)
    is_author = post.author_id == request.user.pk
    if not (is_author or standing.can_moderate_content):
        return _forbidden(request, AccessDenied(gettext("You can only delete your own posts.")))
    if request.method == "POST":
        try:
            services.post_delete(post=post, actor=request.user)
        except DomainError as exc:
            return _action_failed(request, exc, club=club, fallback=_post_url(post, club))
        messages.success(request, gettext("The post is deleted."))
        return redirect("brand_clubs:club_feed", slug=club.slug)
    return render(
        request,
        "brand_clubs/post_confirm_delete.html",
        {"club": club, "post": post, "is_author": is_author},
    )


def _moderate_post(request, slug, pk, *, restore: bool):
    try:
        club, standing = _readable_club(request, slug)
    except AccessDenied as exc:
        return _forbidden(request, exc)
    post = _post_or_404(club, pk, request, standing)
    if not standing.can_moderate_content:
        return _forbidden(request, AccessDenied(gettext("Only moderators can do this.")))
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        service = services.post_restore if restore else services.post_hide
        try:
            service(post=post, actor=request.user, reason=form.cleaned_data["reason"])
        except AccessDenied as exc:
            return _forbidden(request, exc, club=club)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            if restore:
                messages.success(request, gettext("The post is shown again."))
            else:
                messages.success(request, gettext("The post is hidden."))
            return redirect(_post_url(post, club))
    return render(
        request,
        "brand_clubs/post_confirm_moderate.html",
        {"club": club, "post": post, "form": form, "restore": restore},
        status=400 if form.errors else 200,
    )


@login_required
@require_http_methods(["GET", "POST"])
def post_hide(request, slug, pk):
    return _moderate_post(request, slug, pk, restore=False)


@login_required
@require_http_methods(["GET", "POST"])
def post_restore(request, slug, pk):
    return _moderate_post(request, slug, pk, restore=True)


# --- pre-moderation -------------------------------------------------------------------


def _pending_url(club) -> str:
    return reverse("brand_clubs:club_pending_posts", args=[club.slug])


@login_required
@require_GET
def club_pending_posts(request, slug):
    """The club's "Waiting for approval" list, beside its join requests."""
    club = club_or_404(slug)
    try:
        standing = access_club_moderate_content(user=request.user, club=club)
    except AccessDenied as exc:
        return _forbidden(request, exc, club=club)
    posts = selectors.post_list_pending(club=club, standing=standing)
    page = Paginator(posts, PENDING_PER_PAGE).get_page(request.GET.get("page"))
    context = {
        "club": club,
        "standing": standing,
        "page": page,
        "pending_count": page.paginator.count,
        "page_title": gettext("Waiting for approval · %(club)s") % {"club": club.name},
    }
    return render(request, "brand_clubs/club_pending_posts.html", context)


@login_required
@require_POST
def post_approve(request, slug, pk):
    try:
        club, standing = _readable_club(request, slug)
    except AccessDenied as exc:
        return _forbidden(request, exc)
    post = _post_or_404(club, pk, request, standing)
    fallback = _pending_url(club)
    try:
        services.post_approve(post=post, actor=request.user)
    except DomainError as exc:
        return _action_failed(request, exc, club=club, fallback=fallback)
    if wants_json(request):
        return JsonResponse({"status": ClubPost.Status.PUBLISHED})
    messages.success(request, gettext("The post is approved and published."))
    return redirect(safe_next_url(request, fallback))


@login_required
@require_http_methods(["GET", "POST"])
def post_reject(request, slug, pk):
    """A confirmation page that asks for the reason, which the author is told."""
    try:
        club, standing = _readable_club(request, slug)
    except AccessDenied as exc:
        return _forbidden(request, exc)
    post = _post_or_404(club, pk, request, standing)
    if not standing.can_moderate_content:
        return _forbidden(request, AccessDenied(gettext("Only moderators can do this.")))
    back = _pending_url(club)
    if post.status != ClubPost.Status.PENDING:
        messages.info(request, gettext("This post is no longer waiting for approval."))
        return redirect(back)
    form = ReasonForm(request.POST or None)
    form.fields["reason"].help_text = gettext(
        "The author is told this reason; it is also kept in the club's audit log."
    )
    if request.method == "POST" and form.is_valid():
        try:
            services.post_reject(post=post, actor=request.user, reason=form.cleaned_data["reason"])
        except AccessDenied as exc:
            return _forbidden(request, exc, club=club)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, gettext("The post is rejected; its author is told why."))
            return redirect(back)
    return render(
        request,
        "brand_clubs/post_confirm_reject.html",
        {"club": club, "post": post, "form": form, "back": back},
        status=400 if form.errors else 200,
    )


@login_required
@require_POST
def post_pin(request, slug, pk):
    try:
        club, standing = _readable_club(request, slug)
    except AccessDenied as exc:
        return _forbidden(request, exc)
    post = _post_or_404(club, pk, request, standing)
    pinned = request.POST.get("pinned") == "1"
    try:
        services.post_pin(post=post, actor=request.user, pinned=pinned)
    except DomainError as exc:
        return _action_failed(request, exc, club=club, fallback=_post_url(post, club))
    if pinned:
        messages.success(request, gettext("The post is pinned to the top of the feed."))
    else:
        messages.success(request, gettext("The post is no longer pinned."))
    return redirect(safe_next_url(request, reverse("brand_clubs:club_feed", args=[club.slug])))


@require_POST
def post_like(request, slug, pk):
    """Like or unlike. htmx gets the button back, JSON clients the count, plain forms a
    redirect to where they were."""
    if not request.user.is_authenticated:
        exc = AccessDenied(gettext("Please log in to like posts."), code="login_required")
        if wants_json(request) or request.htmx:
            return domain_error_json(exc)
        return redirect_to_login(safe_next_url(request, request.path))
    try:
        club, standing = _readable_club(request, slug)
    except AccessDenied as exc:
        return _forbidden(request, exc)
    post = _post_or_404(club, pk, request, standing)
    undo = request.POST.get("action") == "unlike"
    fallback = reverse("brand_clubs:club_feed", args=[club.slug]) + f"#post-{post.pk}"
    try:
        if undo:
            post = services.post_unlike(post=post, member=request.user)
        else:
            post = services.post_like(post=post, member=request.user)
    except DomainError as exc:
        return _action_failed(request, exc, club=club, fallback=fallback)
    if request.htmx:
        return render(
            request,
            "brand_clubs/_post_like.html",
            {"post": post, "club": club, "standing": standing},
        )
    if wants_json(request):
        return JsonResponse({"like_count": post.like_count, "liked": not undo})
    return redirect(safe_next_url(request, fallback))


# --- comments -------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def comment_delete(request, slug, pk):
    try:
        club, standing = _readable_club(request, slug)
    except AccessDenied as exc:
        return _forbidden(request, exc)
    comment = _comment_or_404(club, pk, request, standing)
    if comment.status == ClubPost.Status.DELETED:
        raise Http404(gettext("This comment is not available."))
    is_author = comment.author_id == request.user.pk
    if not (is_author or standing.can_moderate_content):
        return _forbidden(request, AccessDenied(gettext("You can only delete your own comments.")))
    post_url = _post_url(comment.post, club)
    if request.method == "POST":
        try:
            services.comment_delete(comment=comment, actor=request.user)
        except DomainError as exc:
            return _action_failed(request, exc, club=club, fallback=post_url)
        messages.success(request, gettext("The comment is deleted."))
        return redirect(post_url)
    return render(
        request,
        "brand_clubs/post_comment_confirm_delete.html",
        {"club": club, "comment": comment, "is_author": is_author, "post_url": post_url},
    )


@login_required
@require_http_methods(["GET", "POST"])
def comment_hide(request, slug, pk):
    try:
        club, standing = _readable_club(request, slug)
    except AccessDenied as exc:
        return _forbidden(request, exc)
    comment = _comment_or_404(club, pk, request, standing)
    if not standing.can_moderate_content:
        return _forbidden(request, AccessDenied(gettext("Only moderators can do this.")))
    post_url = _post_url(comment.post, club)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_hide(
                comment=comment, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except AccessDenied as exc:
            return _forbidden(request, exc, club=club)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, gettext("The comment is hidden."))
            return redirect(post_url)
    return render(
        request,
        "brand_clubs/post_comment_confirm_hide.html",
        {"club": club, "comment": comment, "form": form, "post_url": post_url},
        status=400 if form.errors else 200,
    )


# --- photos ---------------------------------------------------------------------------


@require_GET
def post_photo(request, slug, photo_id, rendition):
    """A post photo, after the same checks as its post: readers of the club, a post the
    viewer may see, a known rendition. Never a public URL."""
    club, standing = _club_and_standing(request, slug)
    try:
        access_club_read(user=request.user, club=club, standing=standing)
    except AccessDenied as exc:
        return render(request, "403.html", {"message": exc.message}, status=403)
    try:
        field_file = selectors.post_photo_get(
            club=club,
            photo_id=photo_id,
            rendition=rendition,
            viewer=request.user,
            standing=standing,
        )
    except NotFound as exc:
        raise Http404(exc.message) from None
    return private_file_response(field_file)

"""Back-office views in the Wagtail admin: the moderation section and code generation.

Thin like every interface: parse the form, call one service, turn a DomainError into a
form error or a message, redirect. Every view checks its permission itself
(services.access_moderate), so hiding the menu is never the only guard.

Wagtail wraps admin URLs in `require_admin_access`: anonymous people are sent to the
login page and a PermissionDenied raised here becomes Wagtail's "permission denied"
response (a redirect to the dashboard with an error, or a 403 for XHR requests).
"""

from urllib.parse import urlencode

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.generic import FormView, TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from brand_clubs.models import Brand
from brand_clubs.selectors import brand_list_for_code_generation
from community.errors import AccessDenied, DomainError, NotFound
from community.http import form_add_domain_error
from community.reviews import selectors, services
from community.reviews.models import (
    Review,
)

QUEUE_PAGE_SIZE = 20


def _home_breadcrumb() -> dict:
    return {"url": reverse("wagtailadmin_home"), "label": _("Home")}


# --- moderation ----------------------------------------------------------------------


class ModeratorRequiredMixin:
    """403 (PermissionDenied) for anyone without members.moderate_content."""

    def dispatch(self, request, *args, **kwargs):
        try:
            services.access_moderate(user=request.user)
        except AccessDenied:
            raise PermissionDenied from None
        return super().dispatch(request, *args, **kwargs)


class PaginatedReviewListView(ModeratorRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    header_icon = "warning"
    page_size = QUEUE_PAGE_SIZE

    list_selector = None  # a selector returning the reviews to list

    def get_queryset(self):
        return self.list_selector()

    def get_breadcrumbs_items(self):
        return [_home_breadcrumb(), {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        paginator = Paginator(self.get_queryset(), self.page_size)
        page = paginator.get_page(self.request.GET.get("p"))
        context.update(
            {
                "page_obj": page,
                "reviews": page.object_list,
                "elided_page_range": paginator.get_elided_page_range(page.number),
            }
        )
        return context


class ModerationQueueView(PaginatedReviewListView):
    """Reviews with open flags, by the open flags' total weight (a level-2 member's flag
    counts double), then the longest waiting."""

    template_name = "reviews/admin/queue.html"
    page_title = gettext_lazy("Flagged reviews")

    list_selector = staticmethod(selectors.review_list_flagged)


class HiddenReviewListView(PaginatedReviewListView):
    template_name = "reviews/admin/hidden.html"
    page_title = gettext_lazy("Hidden reviews")
    header_icon = "no-view"

    list_selector = staticmethod(selectors.review_list_hidden)


class ReasonForm(forms.Form):
    reason = forms.CharField(
        label=gettext_lazy("Reason"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("Kept in the moderation history of this review."),
        error_messages={"required": gettext_lazy("Say why: a reason is required.")},
    )


class HideForm(ReasonForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("Why hide this review?")


class RestoreForm(ReasonForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["reason"].label = _("Why restore this review?")


class DismissForm(forms.Form):
    pass


ACTIONS = {
    "hide": HideForm,
    "restore": RestoreForm,
    "dismiss": DismissForm,
}


def _review_for_moderation(pk) -> Review:
    try:
        return selectors.review_get_for_moderation(pk=pk)
    except NotFound:
        raise Http404(_("No such review.")) from None


class ReviewModerationView(ModeratorRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """A review's page for moderators; POSTs to hide, restore or dismiss its flags."""

    template_name = "reviews/admin/review.html"
    header_icon = "warning"
    action = None  # "hide" | "restore" | "dismiss" for the POST endpoints
    http_method_names = ["get", "post"]

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.forms = {}

    @cached_property
    def review(self) -> Review:
        return _review_for_moderation(self.kwargs["pk"])

    def get_page_title(self):
        return _("Moderate review")

    def get_page_subtitle(self):
        return self.review.title

    def get_breadcrumbs_items(self):
        return [
            _home_breadcrumb(),
            {"url": reverse("review_moderation:queue"), "label": _("Flagged reviews")},
            {"url": "", "label": self.get_page_title(), "sublabel": self.get_page_subtitle()},
        ]

    def get(self, request, *args, **kwargs):
        if self.action:  # the action URLs only take POSTs
            return HttpResponseRedirect(self.detail_url)
        return self.render_to_response(self.get_context_data())

    @property
    def detail_url(self) -> str:
        return reverse("review_moderation:review", args=[self.kwargs["pk"]])

    def _success_url(self) -> str:
        target = self.request.POST.get("next", "")
        if target and url_has_allowed_host_and_scheme(
            target,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return target
        return self.detail_url

    def post(self, request, *args, **kwargs):
        if self.action not in ACTIONS:
            return HttpResponseRedirect(self.detail_url)
        review = self.review
        form = ACTIONS[self.action](request.POST, auto_id=f"id_{self.action}_%s")
        self.forms[self.action] = form
        if form.is_valid():
            try:
                message = self._perform(review=review, data=form.cleaned_data)
            except AccessDenied:
                raise PermissionDenied from None
            except NotFound:
                raise Http404(_("No such review.")) from None
            except DomainError as exc:
                if exc.field and exc.field in form.fields:
                    form_add_domain_error(form, exc)
                else:
                    messages.error(request, exc.message)
                    return HttpResponseRedirect(self.detail_url)
            else:
                messages.success(request, message)
                return HttpResponseRedirect(self._success_url())
        messages.error(request, _("The review was not changed. Please correct the errors below."))
        return self.render_to_response(self.get_context_data(), status=400)

    def _perform(self, *, review: Review, data: dict) -> str:
        moderator = self.request.user
        if self.action == "hide":
            services.review_hide(review=review, moderator=moderator, reason=data["reason"])
            return _("The review “%(title)s” is hidden.") % {"title": review.title}
        if self.action == "restore":
            services.review_restore(review=review, moderator=moderator, reason=data["reason"])
            return _("The review “%(title)s” is published again.") % {"title": review.title}
        count = services.review_flags_dismiss(review=review, moderator=moderator)
        return ngettext(
            "%(count)d flag dismissed; the review stays up.",
            "%(count)d flags dismissed; the review stays up.",
            count,
        ) % {"count": count}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        review = self.review
        open_flags = [flag for flag in review.all_flags if flag.resolved_at is None]
        context.update(
            {
                "review": review,
                "open_flags": open_flags,
                "resolved_flags": [flag for flag in review.all_flags if flag.resolved_at],
                "revisions": review.all_revisions,
                "moderations": review.all_moderations,
                "can_hide": review.status == Review.Status.PUBLISHED,
                "can_restore": review.status == Review.Status.HIDDEN,
                "can_dismiss": bool(open_flags),
                "hide_form": self.forms.get("hide") or HideForm(auto_id="id_hide_%s"),
                "restore_form": self.forms.get("restore") or RestoreForm(auto_id="id_restore_%s"),
                "hide_url": reverse("review_moderation:hide", args=[review.pk]),
                "restore_url": reverse("review_moderation:restore", args=[review.pk]),
                "dismiss_url": reverse("review_moderation:dismiss", args=[review.pk]),
                "public_url": review.get_absolute_url(),
            }
        )
        return context


# --- purchase codes ------------------------------------------------------------------


class PurchaseCodeGenerateForm(forms.Form):
    brand = forms.ModelChoiceField(label=gettext_lazy("Brand"), queryset=Brand.objects.none())
    count = forms.IntegerField(
        label=gettext_lazy("Number of codes"),
        min_value=1,
        max_value=services.MAX_CODES_PER_BATCH,
        initial=100,
    )
    batch = forms.CharField(
        label=gettext_lazy("Batch label"),
        max_length=80,
        help_text=gettext_lazy(
            "Names this batch so that you can find and export it, e.g. “Spring 2026 retail boxes”."
        ),
    )

    def __init__(self, *args, brands, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["brand"].queryset = brands
        self.fields["count"].help_text = _("Between 1 and %(max)s codes at a time.") % {
            "max": f"{services.MAX_CODES_PER_BATCH:,}"
        }


class PurchaseCodeGenerateView(WagtailAdminTemplateMixin, FormView):
    template_name = "reviews/admin/generate_codes.html"
    form_class = PurchaseCodeGenerateForm
    page_title = gettext_lazy("Generate purchase codes")
    header_icon = "key"
    index_url_name = "purchase_codes:index"

    def dispatch(self, request, *args, **kwargs):
        self.brands = brand_list_for_code_generation(user=request.user)
        if not request.user.has_perm("reviews.add_purchasecode") and not self.brands.exists():
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)

    @cached_property
    def can_view_list(self) -> bool:
        user = self.request.user
        return any(
            user.has_perm(f"reviews.{action}_purchasecode")
            for action in ("view", "add", "change", "delete")
        )

    def get_breadcrumbs_items(self):
        items = [_home_breadcrumb()]
        if self.can_view_list:
            items.append({"url": reverse(self.index_url_name), "label": _("Purchase codes")})
        items.append({"url": "", "label": self.get_page_title()})
        return items

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["brands"] = self.brands
        initial_brand = self.request.GET.get("brand")
        if initial_brand and initial_brand.isdigit():
            kwargs["initial"] = {**kwargs.get("initial", {}), "brand": int(initial_brand)}
        return kwargs

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            codes = services.purchase_codes_generate(
                brand=data["brand"],
                count=data["count"],
                actor=self.request.user,
                batch=data["batch"],
            )
        except DomainError as exc:
            form_add_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(
            self.request,
            ngettext(
                "%(count)d code generated for %(brand)s in batch “%(batch)s”.",
                "%(count)d codes generated for %(brand)s in batch “%(batch)s”.",
                len(codes),
            )
            % {"count": len(codes), "brand": data["brand"].name, "batch": data["batch"]},
        )
        if self.can_view_list:
            query = urlencode({"brand": data["brand"].pk, "batch": data["batch"]})
            return HttpResponseRedirect(f"{reverse(self.index_url_name)}?{query}")
        # A brand's own admin without access to the list: show the codes right here.
        return self.render_to_response(
            self.get_context_data(form=self.get_form_class()(brands=self.brands), codes=codes)
        )

    def form_invalid(self, form):
        return self.render_to_response(self.get_context_data(form=form), status=400)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = context["form"]
        context.update(
            {
                "action_url": self.request.path,
                "submit_button_label": _("Generate codes"),
                "submit_button_active_label": _("Generating…"),
                "media": form.media,
            }
        )
        return context

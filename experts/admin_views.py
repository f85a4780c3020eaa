"""The certification review queue in the Wagtail admin: applications (approve with the
checks performed, reject with a reason, ask for information), certificates (suspend,
reinstate, revoke) and challenges (uphold or dismiss).

Thin like every interface: each view reads through experts.selectors.certification,
which only returns what the user may review (`reviewable_q`: moderators everything,
brand admins their brands' brand-staff rows), and writes through one service, which
checks access again. Hiding the menu is never the only guard."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpResponseRedirect
from django.urls import reverse
from django.utils.functional import cached_property
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.generic import TemplateView
from wagtail.admin.views.generic.base import WagtailAdminTemplateMixin

from community.errors import AccessDenied, DomainError, NotFound
from community.http import form_add_domain_error
from community.members.templatetags.member_names import member_text
from experts.forms.certification import (
    ApproveForm,
    CertificateReasonForm,
    RejectForm,
    RequestInfoForm,
    ResolveChallengeForm,
)
from experts.models import Certificate, CredentialChallenge, ExpertApplication
from experts.selectors import certification as selectors
from experts.services import certification as services
from experts.services.access import is_certification_reviewer


def _home_breadcrumb() -> dict:
    return {"url": reverse("wagtailadmin_home"), "label": _("Home")}


class ReviewerRequiredMixin:
    """403 for anyone who reviews nothing (neither a moderator nor a brand admin)."""

    def dispatch(self, request, *args, **kwargs):
        if not is_certification_reviewer(request.user):
            raise PermissionDenied
        return super().dispatch(request, *args, **kwargs)


# --- lists ------------------------------------------------------------------------------


class ReviewListView(ReviewerRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    header_icon = "user"
    page_size = selectors.QUEUE_PAGE_SIZE
    status_choices: list = []
    default_status = ""
    # The selector of the rows this reviewer may see: (user=, status=) -> queryset.
    queue_selector = None

    def get_breadcrumbs_items(self):
        return [_home_breadcrumb(), {"url": "", "label": self.get_page_title()}]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        known = {value for value, _label in self.status_choices}
        status = self.request.GET.get("status", self.default_status)
        if status not in known:
            status = self.default_status
        rows = self.queue_selector(user=self.request.user, status=status)
        paginator = Paginator(rows, self.page_size)
        page = paginator.get_page(self.request.GET.get("p"))
        context.update(
            {
                "page_obj": page,
                "items": page.object_list,
                "status": status,
                "status_choices": self.status_choices,
                "elided_page_range": paginator.get_elided_page_range(page.number),
            }
        )
        return context


class ApplicationQueueView(ReviewListView):
    """Applications: open ones first (oldest first), then decided ones."""

    template_name = "experts/admin/application_queue.html"
    page_title = gettext_lazy("Expert applications")
    default_status = "open"
    queue_selector = staticmethod(selectors.application_queue)

    @property
    def status_choices(self):
        return [("open", _("Waiting")), ("", _("All")), *ExpertApplication.Status.choices]


class CertificateListView(ReviewListView):
    template_name = "experts/admin/certificate_list.html"
    page_title = gettext_lazy("Certificates")
    header_icon = "tick-inverse"
    queue_selector = staticmethod(selectors.certificate_list_for_reviewer)

    @property
    def status_choices(self):
        return [("", _("All")), *Certificate.Status.choices]


class ChallengeListView(ReviewListView):
    template_name = "experts/admin/challenge_list.html"
    page_title = gettext_lazy("Challenges of credentials")
    header_icon = "warning"
    default_status = CredentialChallenge.Status.OPEN
    queue_selector = staticmethod(selectors.challenge_queue)

    @property
    def status_choices(self):
        return [("", _("All")), *CredentialChallenge.Status.choices]


# --- detail pages with actions ----------------------------------------------------------


class DecisionView(ReviewerRequiredMixin, WagtailAdminTemplateMixin, TemplateView):
    """A page showing one object; POSTs to its action URLs run one service each.
    Subclasses name `object_selector` ((user=, pk=) -> the object, or NotFound) and
    define `perform(*, target, form) -> str`: the service call and its success message."""

    header_icon = "user"
    action = None
    actions: dict = {}  # action -> form class
    list_url_name = ""
    list_label = ""
    detail_url_name = ""
    http_method_names = ["get", "post"]
    object_selector = None

    def setup(self, request, *args, **kwargs):
        super().setup(request, *args, **kwargs)
        self.forms = {}

    @cached_property
    def item(self):
        try:
            return self.object_selector(user=self.request.user, pk=self.kwargs["pk"])
        except NotFound as exc:
            raise Http404(exc.message) from None

    @property
    def detail_url(self) -> str:
        return reverse(self.detail_url_name, args=[self.kwargs["pk"]])

    def get_breadcrumbs_items(self):
        return [
            _home_breadcrumb(),
            {"url": reverse(self.list_url_name), "label": self.list_label},
            {"url": "", "label": self.get_page_title()},
        ]

    def get(self, request, *args, **kwargs):
        if self.action:  # the action URLs only take POSTs
            return HttpResponseRedirect(self.detail_url)
        return self.render_to_response(self.get_context_data())

    def form_for(self, action):
        return self.forms.get(action) or self.actions[action](auto_id=f"id_{action}_%s")

    def post(self, request, *args, **kwargs):
        if self.action not in self.actions:
            return HttpResponseRedirect(self.detail_url)
        target = self.item
        form = self.actions[self.action](request.POST, auto_id=f"id_{self.action}_%s")
        self.forms[self.action] = form
        if form.is_valid():
            try:
                message = self.perform(target=target, form=form)
            except AccessDenied:
                raise PermissionDenied from None
            except NotFound as exc:
                raise Http404(exc.message) from None
            except DomainError as exc:
                if exc.field and exc.field in form.fields:
                    form_add_domain_error(form, exc)
                else:
                    messages.error(request, exc.message)
                    return HttpResponseRedirect(self.detail_url)
            else:
                messages.success(request, message)
                return HttpResponseRedirect(self.detail_url)
        messages.error(request, _("Nothing was changed. Please correct the errors below."))
        return self.render_to_response(self.get_context_data(), status=400)


class ApplicationReviewView(DecisionView):
    template_name = "experts/admin/application_review.html"
    actions = {"approve": ApproveForm, "reject": RejectForm, "request_info": RequestInfoForm}
    list_url_name = "expert_review:applications"
    list_label = gettext_lazy("Expert applications")
    detail_url_name = "expert_review:application"
    object_selector = staticmethod(selectors.application_get_for_review)

    def get_page_title(self):
        return _("Expert application")

    def get_page_subtitle(self):
        return member_text(self.item.applicant)

    def perform(self, *, target, form) -> str:
        reviewer = self.request.user
        data = form.cleaned_data
        name = target.applicant.public_name
        if self.action == "approve":
            services.application_approve(
                reviewer=reviewer,
                application=target,
                checks=data["checks"],
                note=data["note"],
                expires_at=form.expiry,
            )
            return _("%(name)s is certified.") % {"name": name}
        if self.action == "reject":
            services.application_reject(
                reviewer=reviewer, application=target, reason=data["reason"]
            )
            return _("The application of %(name)s is rejected.") % {"name": name}
        services.application_request_info(
            reviewer=reviewer, application=target, message=data["message"]
        )
        return _("%(name)s was asked for more information.") % {"name": name}

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        application = self.item
        context.update(
            {
                "application": application,
                "can_decide": application.is_open
                and application.applicant_id != self.request.user.pk,
                "approve_form": self.form_for("approve"),
                "reject_form": self.form_for("reject"),
                "request_info_form": self.form_for("request_info"),
                "approve_url": reverse("expert_review:approve", args=[application.pk]),
                "reject_url": reverse("expert_review:reject", args=[application.pk]),
                "request_info_url": reverse("expert_review:request_info", args=[application.pk]),
                "employment_required": application.tier == "brand_staff",
            }
        )
        return context


class CertificateReviewView(DecisionView):
    template_name = "experts/admin/certificate_review.html"
    header_icon = "tick-inverse"
    actions = {
        "suspend": CertificateReasonForm,
        "reinstate": CertificateReasonForm,
        "revoke": CertificateReasonForm,
    }
    list_url_name = "expert_review:certificates"
    list_label = gettext_lazy("Certificates")
    detail_url_name = "expert_review:certificate"
    object_selector = staticmethod(selectors.certificate_get_for_review)

    def get_page_title(self):
        return _("Certificate")

    def get_page_subtitle(self):
        return member_text(self.item.member)

    def perform(self, *, target, form) -> str:
        change = {
            "suspend": services.certificate_suspend,
            "reinstate": services.certificate_reinstate,
            "revoke": services.certificate_revoke,
        }[self.action]
        change(actor=self.request.user, certificate=target, reason=form.cleaned_data["reason"])
        return {
            "suspend": _("The certificate is suspended."),
            "reinstate": _("The certificate is active again."),
            "revoke": _("The certificate is revoked."),
        }[self.action]

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        certificate = self.item
        own = certificate.member_id == self.request.user.pk
        status = certificate.status
        context.update(
            {
                "certificate": certificate,
                "can_suspend": not own and status == Certificate.Status.ACTIVE,
                "can_reinstate": not own and status == Certificate.Status.SUSPENDED,
                "can_revoke": not own and status != Certificate.Status.REVOKED,
                "suspend_form": self.form_for("suspend"),
                "reinstate_form": self.form_for("reinstate"),
                "revoke_form": self.form_for("revoke"),
                "suspend_url": reverse("expert_review:suspend", args=[certificate.pk]),
                "reinstate_url": reverse("expert_review:reinstate", args=[certificate.pk]),
                "revoke_url": reverse("expert_review:revoke", args=[certificate.pk]),
            }
        )
        return context


class ChallengeReviewView(DecisionView):
    template_name = "experts/admin/challenge_review.html"
    header_icon = "warning"
    actions = {"resolve": ResolveChallengeForm}
    list_url_name = "expert_review:challenges"
    list_label = gettext_lazy("Challenges of credentials")
    detail_url_name = "expert_review:challenge"
    object_selector = staticmethod(selectors.challenge_get_for_review)

    def get_page_title(self):
        return _("Challenge of credentials")

    def get_page_subtitle(self):
        return member_text(self.item.certificate.member)

    def perform(self, *, target, form) -> str:
        data = form.cleaned_data
        uphold = data["decision"] == "uphold"
        services.challenge_resolve(
            reviewer=self.request.user,
            challenge=target,
            uphold=uphold,
            resolution=data["resolution"],
            then=data["then"] or None,
        )
        return _("The challenge is upheld.") if uphold else _("The challenge is dismissed.")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        challenge = self.item
        context.update(
            {
                "challenge": challenge,
                "certificate": challenge.certificate,
                "can_resolve": challenge.status == CredentialChallenge.Status.OPEN
                and challenge.certificate.member_id != self.request.user.pk,
                "resolve_form": self.form_for("resolve"),
                "resolve_url": reverse("expert_review:resolve", args=[challenge.pk]),
            }
        )
        return context

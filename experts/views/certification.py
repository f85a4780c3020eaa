"""Pages of the certification workflow for members: apply, one's own applications
(answer the reviewers, withdraw), evidence downloads, the public credentials page and
challenges. Each parses input, calls one service or selector and renders; the
reviewers' side is in the Wagtail admin (experts/admin_views.py)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from community.errors import AccessDenied, DomainError, NotFound
from community.http import form_add_domain_error
from community.private_media import private_file_response
from experts.forms.certification import ApplicationForm, ChallengeForm, RespondForm
from experts.models import CertificationLogEntry, EvidenceFile, ExpertApplication
from experts.selectors import certification as selectors
from experts.services import certification as services
from experts.services.access import access_evidence_read

MAX_ID = 2**31 - 1  # larger ids are treated as unknown, as in the site's other forms

# Log entries whose reason is written for the applicant (the reviewers' notes on an
# approval are not).
APPLICANT_VISIBLE_REASONS = frozenset(
    {
        CertificationLogEntry.Action.INFO_REQUESTED,
        CertificationLogEntry.Action.REJECTED,
        CertificationLogEntry.Action.RESUBMITTED,
    }
)


def _forbidden(request, exc: AccessDenied):
    return render(request, "403.html", {"message": exc.message}, status=403)


def _id_param(value: str) -> int | None:
    """A database id from a query parameter, or None for anything else: "²" is a digit
    to str.isdigit() but not to int(), and a huge number overflows the column."""
    if not (value.isascii() and value.isdecimal()):
        return None
    number = int(value)
    return number if 0 < number <= MAX_ID else None


def _own_application(request, pk) -> ExpertApplication:
    try:
        return selectors.application_get_for_applicant(member=request.user, pk=pk)
    except NotFound as exc:
        raise Http404(exc.message) from None


# --- applying ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def apply(request):
    renewable = selectors.certificates_renewable(member=request.user)
    initial = {}
    renew = _id_param(request.GET.get("renew", ""))
    if renew is not None:
        certificate = renewable.filter(pk=renew).first()
        if certificate is not None:
            initial = {
                "renewal_of": certificate.pk,
                "tier": certificate.tier,
                "employer": certificate.employer_id,
                "categories": [c.pk for c in certificate.categories.all()],
                "brands": [b.pk for b in certificate.brands.all()],
                "headline": certificate.headline,
            }
    form = ApplicationForm(
        request.POST or None, request.FILES or None, renewable=renewable, initial=initial
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            application = services.application_submit(
                applicant=request.user,
                tier=data["tier"],
                employer=data["employer"],
                categories=data["categories"],
                brands=data["brands"],
                headline=data["headline"],
                credentials=data["credentials"],
                links=data["links"],
                conflict_of_interest=data["conflict_of_interest"],
                evidence_uploads=data["evidence"],
                renewal_of=data.get("renewal_of"),
            )
        except AccessDenied as exc:
            return _forbidden(request, exc)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _(
                    "Thank you. Your application is with the reviewers; we will tell you "
                    "when they decide."
                ),
            )
            return redirect("experts:application_detail", pk=application.pk)
    if form.errors and request.FILES:
        messages.warning(request, _("Your text is kept below; please choose your files again."))
    return render(
        request,
        "experts/certification/apply.html",
        {
            "form": form,
            "open_application": selectors.application_open_of(member=request.user),
        },
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def application_list(request):
    page = selectors.application_list_for_applicant(
        member=request.user, page=request.GET.get("page")
    )
    return render(request, "experts/certification/application_list.html", {"page": page})


def _detail(request, application, *, respond_form=None, status=200):
    if respond_form is None and application.status == ExpertApplication.Status.INFO_REQUESTED:
        respond_form = RespondForm()
    return render(
        request,
        "experts/certification/application_detail.html",
        {
            "application": application,
            "respond_form": respond_form,
            "visible_reasons": APPLICANT_VISIBLE_REASONS,
        },
        status=status,
    )


@login_required
@require_GET
def application_detail(request, pk):
    return _detail(request, _own_application(request, pk))


@login_required
@require_POST
def application_respond(request, pk):
    application = _own_application(request, pk)
    form = RespondForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.application_respond(
                applicant=request.user,
                application=application,
                message=form.cleaned_data["message"],
                evidence_uploads=form.cleaned_data["evidence"],
            )
        except NotFound as exc:
            raise Http404(exc.message) from None
        except AccessDenied as exc:
            return _forbidden(request, exc)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(request, _("Thank you. The reviewers have your answer."))
            return redirect("experts:application_detail", pk=application.pk)
    return _detail(request, application, respond_form=form, status=400)


@login_required
@require_http_methods(["GET", "POST"])
def application_withdraw(request, pk):
    application = _own_application(request, pk)
    if request.method == "POST":
        try:
            services.application_withdraw(applicant=request.user, application=application)
        except NotFound as exc:
            raise Http404(exc.message) from None
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Your application is withdrawn."))
        return redirect("experts:application_detail", pk=application.pk)
    if not application.is_open:
        messages.info(request, _("This application is no longer open."))
        return redirect("experts:application_detail", pk=application.pk)
    return render(
        request,
        "experts/certification/application_withdraw.html",
        {"application": application},
    )


# --- evidence ---------------------------------------------------------------------------


@require_GET
def evidence(request, pk):
    """An evidence file, for its uploader and the reviewers only; for everyone else it
    does not exist (404, not 403: ids reveal nothing)."""
    try:
        row = selectors.evidence_get(pk=pk)
        access_evidence_read(user=request.user, evidence=row)
    except NotFound as exc:
        raise Http404(exc.message) from None
    response = private_file_response(row.file)
    is_pdf = row.kind == EvidenceFile.Kind.PDF
    # A PDF is downloaded, never rendered inside the site's origin.
    response["Content-Disposition"] = content_disposition_header(is_pdf, row.original_name)
    response["Content-Security-Policy"] = "default-src 'none'; img-src 'self'; sandbox"
    return response


# --- credentials and challenges ---------------------------------------------------------


@require_GET
def credentials(request, member_pk):
    try:
        member, certificates = selectors.credentials_of(member_pk=member_pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    viewer = request.user
    return render(
        request,
        "experts/certification/credentials.html",
        {
            "expert": member,
            "certificates": certificates,
            "is_self": viewer.is_authenticated and viewer.pk == member.pk,
            "can_challenge": viewer.is_authenticated and viewer.pk != member.pk,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def challenge(request, certificate_pk):
    try:
        certificate = selectors.certificate_get_current(pk=certificate_pk)
    except NotFound as exc:
        raise Http404(exc.message) from None
    if certificate.member_id == request.user.pk:
        return _forbidden(request, AccessDenied(_("You cannot challenge your own credentials.")))
    if not certificate.is_current:
        raise Http404(_("This certificate is no longer current."))
    form = ChallengeForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.challenge_submit(
                challenger=request.user,
                certificate=certificate,
                statement=form.cleaned_data["statement"],
                evidence_uploads=form.cleaned_data["evidence"],
            )
        except AccessDenied as exc:
            return _forbidden(request, exc)
        except DomainError as exc:
            form_add_domain_error(form, exc)
        else:
            messages.success(
                request,
                _("Thank you. The reviewers will look into it and tell you what they decide."),
            )
            return redirect("experts:credentials", member_pk=certificate.member_id)
    if form.errors and request.FILES:
        messages.warning(request, _("Your text is kept below; please choose your files again."))
    return render(
        request,
        "experts/certification/challenge_form.html",
        {"form": form, "certificate": certificate, "expert": certificate.member},
        status=400 if form.errors else 200,
    )

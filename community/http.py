"""Helpers that turn domain errors into what an interface shows."""

from django import forms
from django.http import JsonResponse
from django.utils.http import url_has_allowed_host_and_scheme

from community.errors import DomainError


def form_add_domain_error(form: forms.Form, exc: DomainError) -> None:
    """Attach the error to its field when the form has it, else to the form."""
    field = exc.field if exc.field in form.fields else None
    form.add_error(field, exc.message)


def wants_json(request) -> bool:
    return "application/json" in request.headers.get("Accept", "")


def domain_error_json(exc: DomainError) -> JsonResponse:
    body = {"error": {"code": exc.code, "message": str(exc.message)}}
    if exc.field:
        body["error"]["field"] = exc.field
    return JsonResponse(body, status=exc.status_code)


def safe_next_url(request, fallback: str) -> str:
    """The `next` the form or link carried, if it stays on this site; else `fallback`."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return fallback

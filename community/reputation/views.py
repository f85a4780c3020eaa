"""The member's own reputation page: total, per club and field, and the ledger."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from community.reputation import rules
from community.reputation.selectors import reputation_ledger_page, reputation_scores


@login_required
@require_GET
def mine(request):
    member = request.user
    return render(
        request,
        "reputation/mine.html",
        {
            "page_title": _("Your reputation"),
            "member": member,
            "scores": reputation_scores(member=member),
            "page": reputation_ledger_page(member=member, page_number=request.GET.get("page")),
            "published_rules": rules.published_rules(),
            "daily_vote_cap": rules.DAILY_VOTE_CAP,
        },
    )

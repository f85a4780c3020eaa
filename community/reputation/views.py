"""Reputation pages: the member's own page (total, per club and field, the ledger and
progress to the next trust level), the published trust levels, the leaderboards of a
club and of a field, and the moderators' leader grant / withdrawal."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from brand_clubs.selectors.clubs import club_get
from brand_clubs.services.access import access_club_read
from community.errors import AccessDenied, DomainError, NotFound
from community.members.selectors import is_moderator, member_get_public
from community.reputation import leaderboards, rules
from community.reputation.rules import TrustLevel
from community.reputation.selectors import reputation_ledger_page, reputation_scores
from community.reputation.trust_selectors import published_levels, trust_progress
from community.reputation.trust_services import (
    trust_level_evaluate,
    trust_level_grant_leader,
    trust_level_withdraw_leader,
)

LEVEL_LABELS = dict(TrustLevel.choices)


@login_required
@require_GET
def mine(request):
    member = request.user
    level_before = member.trust_level
    # Re-check first, so a member who has just met the requirements sees the promotion.
    # The level rows it may write do not change the counts, so the progress shown next
    # reuses them.
    counted = {}
    level = trust_level_evaluate(member=member, counted=counted)
    page = reputation_ledger_page(member=member, page_number=request.GET.get("page"))
    for entry in page.object_list:
        entry.level_label = LEVEL_LABELS.get(entry.trust_level, "")
    return render(
        request,
        "reputation/mine.html",
        {
            "page_title": _("Your reputation"),
            "member": member,
            "promoted_to": LEVEL_LABELS[level] if level > level_before else "",
            "progress": trust_progress(member=member, counted=counted),
            "window_days": rules.REGULAR_WINDOW_DAYS,
            "demoted_label": LEVEL_LABELS[TrustLevel.MEMBER],
            "scores": reputation_scores(member=member),
            "page": page,
            "published_rules": rules.published_rules(),
            "daily_vote_cap": rules.DAILY_VOTE_CAP,
        },
    )


@require_GET
def levels(request):
    """How trust levels work: published for everyone, signed in or not."""
    return render(
        request,
        "reputation/levels.html",
        {
            "page_title": _("How trust levels work"),
            "levels": published_levels(),
            "window_days": rules.REGULAR_WINDOW_DAYS,
            "grace_days": rules.TRUST_DEMOTION_GRACE_DAYS,
            "demoted_label": LEVEL_LABELS[TrustLevel.MEMBER],
            "photos_before_basic": rules.PHOTOS_BEFORE_BASIC,
            "published_rules": rules.published_rules(),
            "daily_vote_cap": rules.DAILY_VOTE_CAP,
            "categories": leaderboards.leaderboard_categories(),
        },
    )


def _leaderboard_context(*, rows, period, title):
    return {
        "page_title": title,
        "rows": rows,
        "period": period,
        "period_label": leaderboards.PERIOD_LABELS[period],
        "period_days": leaderboards.PERIOD_DAYS.get(period),
        "periods": leaderboards.leaderboard_periods(),
    }


@require_GET
def club_leaderboard(request, slug):
    """A club's board, for whoever may read the club: for a private or invite-only
    club, outsiders get a 404 (the board would list who is in it)."""
    try:
        club = club_get(slug=slug)
        standing = access_club_read(user=request.user, club=club)
    except (NotFound, AccessDenied) as exc:
        raise Http404(exc.message) from None
    period = leaderboards.leaderboard_period(request.GET.get("period"))
    context = _leaderboard_context(
        rows=leaderboards.leaderboard_for_club(club=club, period=period),
        period=period,
        title=_("Leaderboard of %(club)s") % {"club": club.name},
    )
    context.update({"club": club, "standing": standing})
    return render(request, "reputation/leaderboard.html", context)


@require_GET
def field_leaderboard(request, slug):
    category = leaderboards.category_get(slug=slug)
    period = leaderboards.leaderboard_period(request.GET.get("period"))
    context = _leaderboard_context(
        rows=leaderboards.leaderboard_for_category(category=category, period=period),
        period=period,
        title=_("Leaderboard of %(field)s") % {"field": category.name},
    )
    context["category"] = category
    return render(request, "reputation/leaderboard.html", context)


LEADER_ACTIONS = {"grant", "withdraw"}


@login_required
@require_http_methods(["GET", "POST"])
def leader_change(request, pk, action):
    """Site moderators make a member a leader (level 4) or withdraw it: a confirmation
    page on GET, the change on POST."""
    if action not in LEADER_ACTIONS:
        raise Http404
    member = member_get_public(pk=pk)
    if not is_moderator(request.user):
        message = _("Only moderators can change trust levels.")
        return render(request, "403.html", {"message": message}, status=403)
    if request.method == "POST":
        try:
            if action == "grant":
                trust_level_grant_leader(member=member, moderator=request.user)
                done = _("%(name)s is now a leader.") % {"name": member.public_name}
            else:
                level = trust_level_withdraw_leader(member=member, moderator=request.user)
                done = _("%(name)s is no longer a leader (now level %(number)s, %(level)s).") % {
                    "name": member.public_name,
                    "number": int(level),
                    "level": LEVEL_LABELS[level],
                }
        except AccessDenied as exc:
            return render(request, "403.html", {"message": exc.message}, status=403)
        except DomainError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, done)
        return redirect(member.get_absolute_url())
    return render(
        request,
        "reputation/leader_confirm.html",
        {
            "page_title": _("Make leader") if action == "grant" else _("Withdraw leader"),
            "target": member,
            "action": action,
            "level_label": LEVEL_LABELS.get(member.trust_level, ""),
        },
    )

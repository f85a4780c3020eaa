"""Reads of members."""

from django.shortcuts import get_object_or_404

from community.members.models import Member


def member_get_public(*, pk) -> Member:
    """A member whose profile can be shown: deactivated accounts are 404."""
    return get_object_or_404(Member, pk=pk, is_active=True)

"""Re-check trust levels: promote members who now meet the next level's requirements and
start or end Regulars' grace period (community/reputation/trust_services.py). Schedule it
daily. It looks at members who visited in the last two days (their activity changed) and
at every Regular (their rolling window moves even when they stay away)."""

from datetime import timedelta

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand
from django.db.models import Q
from django.utils import timezone
from tqdm import tqdm

from community.reputation.rules import TrustLevel
from community.reputation.trust_services import trust_level_evaluate


class Command(BaseCommand):
    help = "Promote members who meet the next trust level; demote Regulars after the grace period."

    def handle(self, *args, **options):
        now = timezone.now()
        recent = (now - timedelta(days=2)).date()
        members = (
            get_user_model()
            .objects.filter(is_active=True, trust_level__lt=TrustLevel.LEADER)
            .filter(Q(visits__day__gte=recent) | Q(trust_level=TrustLevel.REGULAR))
            .distinct()
            .order_by("pk")
        )
        changed = 0
        total = members.count()
        for member in tqdm(members.iterator(chunk_size=500), total=total, disable=None):
            before = member.trust_level
            if trust_level_evaluate(member=member, now=now) != before:
                changed += 1
        self.stdout.write(f"{total} member(s) checked, {changed} changed trust level.")

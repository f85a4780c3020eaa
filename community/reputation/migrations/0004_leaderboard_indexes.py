"""Indexes for the weekly and monthly leaderboards (community/reputation/leaderboards.py):
the rows of one club or one field since a date, summed per member. Partial (only rows
that name the scope) and covering (member, delta), so the sum can be an index-only scan."""

from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reputation", "0003_trust_levels"),
    ]

    operations = [
        migrations.AddIndex(
            model_name="reputationentry",
            index=models.Index(
                fields=["club", "created_at", "member", "delta"],
                condition=models.Q(club__isnull=False),
                name="reputation_entry_club_board",
            ),
        ),
        migrations.AddIndex(
            model_name="reputationentry",
            index=models.Index(
                fields=["category", "created_at", "member", "delta"],
                condition=models.Q(category__isnull=False),
                name="reputation_entry_field_board",
            ),
        ),
    ]

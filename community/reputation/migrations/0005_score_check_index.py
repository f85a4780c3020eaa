"""The recount's index on scores (community/reputation/services.py, "the recount"):
(member, club, category, total) answers "this member's score in this scope" from the
index alone. It starts with the member, so the foreign key's own index goes."""

import django.db.models.deletion
from django.conf import settings
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("reputation", "0004_leaderboard_indexes"),
        migrations.swappable_dependency(settings.AUTH_USER_MODEL),
    ]

    operations = [
        migrations.AddIndex(
            model_name="reputationscore",
            index=models.Index(
                fields=["member", "club", "category", "total"], name="reputation_score_check"
            ),
        ),
        migrations.AlterField(
            model_name="reputationscore",
            name="member",
            field=models.ForeignKey(
                db_index=False,
                on_delete=django.db.models.deletion.CASCADE,
                related_name="reputation_scores",
                to=settings.AUTH_USER_MODEL,
            ),
        ),
    ]

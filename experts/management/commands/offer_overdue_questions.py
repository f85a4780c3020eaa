"""Offer overdue directed questions to other experts of their field. Schedule it hourly;
it is idempotent (each question is offered once), so overlapping runs do no harm."""

from django.core.management.base import BaseCommand

from experts.services.questions import questions_offer_overdue


class Command(BaseCommand):
    help = (
        "Offer questions that the expert they were asked to has not answered in their "
        "stated response time to the other experts of the question's field."
    )

    def handle(self, *args, **options):
        offered = questions_offer_overdue()
        self.stdout.write(f"{offered} question(s) offered.")

"""Offer overdue directed questions to other experts of their field, and re-measure the
experts' response times (a question becoming overdue counts against the figure).
Schedule it hourly; it is idempotent (each question is offered once), so overlapping
runs do no harm."""

from django.core.management.base import BaseCommand

from experts.services.profiles import expert_response_times_refresh
from experts.services.questions import questions_offer_overdue


class Command(BaseCommand):
    help = (
        "Offer questions that the expert they were asked to has not answered in their "
        "stated response time to the other experts of the question's field."
    )

    def handle(self, *args, **options):
        offered = questions_offer_overdue()
        self.stdout.write(f"{offered} question(s) offered.")
        measured = expert_response_times_refresh()
        self.stdout.write(f"{measured} expert response time(s) measured.")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ExpertsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "experts"
    label = "experts"
    verbose_name = _("Experts")

    def ready(self):
        # Search-index upkeep only (experts/signals.py); no domain logic in signals.
        from experts import signals

        signals.connect()

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReputationConfig(AppConfig):
    name = "community.reputation"
    label = "reputation"
    verbose_name = _("Reputation")
    default_auto_field = "django.db.models.BigAutoField"

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ReputationConfig(AppConfig):
    name = "community.reputation"
    label = "reputation"
    verbose_name = _("Reputation")
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from community.reputation.activity import record_visit_on_login

        user_logged_in.connect(record_visit_on_login, dispatch_uid="reputation_visit_on_login")

from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class BrandClubsConfig(AppConfig):
    name = "brand_clubs"
    label = "brand_clubs"
    verbose_name = _("Brands and clubs")

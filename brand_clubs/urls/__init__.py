"""URLs of brand_clubs, one module per part; every name is in the "brand_clubs" namespace."""

from django.urls import include, path

app_name = "brand_clubs"
urlpatterns = [
    path("", include("brand_clubs.urls.catalogue")),
    path("", include("brand_clubs.urls.clubs")),
    path("", include("brand_clubs.urls.feed")),
    path("", include("brand_clubs.urls.events")),
]

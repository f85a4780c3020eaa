from django.urls import path

from brand_clubs.views import catalogue

urlpatterns = [
    path("brands/", catalogue.brand_list, name="brand_list"),
    path("brands/<str:slug>/", catalogue.brand_detail, name="brand"),
    path("brands/<str:brand_slug>/<str:product_slug>/", catalogue.product_detail, name="product"),
    path(
        "brands/<str:brand_slug>/<str:product_slug>/weighted/",
        catalogue.product_weighted,
        name="product_weighted",
    ),
]

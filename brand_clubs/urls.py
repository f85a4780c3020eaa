from django.urls import path

from brand_clubs import views

app_name = "brand_clubs"
urlpatterns = [
    path("brands/", views.brand_list, name="brand_list"),
    path("brands/<str:slug>/", views.brand_detail, name="brand"),
    path("brands/<str:brand_slug>/<str:product_slug>/", views.product_detail, name="product"),
]

from django.urls import path

from community.reputation import views

app_name = "reputation"
urlpatterns = [
    path("", views.mine, name="mine"),
]

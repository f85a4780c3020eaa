from django.urls import path

from community.reputation import views

app_name = "reputation"
urlpatterns = [
    path("", views.mine, name="mine"),
    path("levels/", views.levels, name="levels"),
    path("leaderboards/club/<str:slug>/", views.club_leaderboard, name="club_leaderboard"),
    path("leaderboards/field/<str:slug>/", views.field_leaderboard, name="field_leaderboard"),
    path("leader/<int:pk>/<str:action>/", views.leader_change, name="leader_change"),
]

"""The expert directory and profiles, following and the feed, endorsements and private
conversations (namespace "experts", included at the site root)."""

from django.urls import path

from experts.views import directory as views

urlpatterns = [
    path("experts/", views.directory, name="directory"),
    path("experts/settings/", views.profile_settings, name="profile_settings"),
    path("experts/<int:member_pk>/", views.profile, name="profile"),
    path("experts/<int:member_pk>/message/", views.conversation, name="conversation"),
    path("members/<int:member_pk>/follow/", views.follow, name="follow"),
    path("members/<int:member_pk>/unfollow/", views.unfollow, name="unfollow"),
    path("following/", views.feed, name="feed"),
    path("reviews/<int:review_pk>/endorse/", views.endorse, name="endorse"),
    path("endorsements/<int:pk>/remove/", views.endorsement_remove, name="endorsement_delete"),
]

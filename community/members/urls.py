from django.urls import path

from community.members import views

app_name = "members"
urlpatterns = [
    path("me/", views.my_profile, name="me"),
    path("me/edit/", views.profile_edit, name="edit"),
    path("<int:pk>/", views.profile, name="profile"),
    path("notifications/", views.notification_centre, name="notifications"),
    path(
        "notifications/settings/",
        views.notification_settings,
        name="notification_settings",
    ),
    path("notifications/read/", views.notifications_mark_read, name="notifications_read"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
]

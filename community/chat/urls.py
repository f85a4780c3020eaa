from django.urls import path

from community.chat import views

app_name = "chat"
urlpatterns = [
    path("", views.room_list, name="rooms"),
    path("rooms/<int:pk>/", views.room_detail, name="room"),
    path("rooms/<int:pk>/send/", views.message_send, name="send"),
    path("rooms/<int:pk>/history/", views.room_history, name="history"),
    path("rooms/<int:pk>/read/", views.room_read, name="read"),
    path("rooms/<int:pk>/notify/", views.room_notify, name="notify"),
    path("rooms/<int:pk>/mute/", views.room_mute, name="mute"),
    path("messages/<int:pk>/delete/", views.message_delete, name="message_delete"),
    path("messages/<int:pk>/photo/<str:size>/", views.message_photo, name="photo"),
    path("club/<str:slug>/", views.club_room, name="club_room"),
    path("event/<int:pk>/", views.event_room, name="event_room"),
    path("direct/<int:member_pk>/", views.direct_room, name="direct"),
]

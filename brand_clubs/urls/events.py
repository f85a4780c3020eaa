from django.urls import path

from brand_clubs.views import events

urlpatterns = [
    path("events/", events.my_events, name="my_events"),
    path("events/calendar/<str:token>.ics", events.member_calendar, name="member_calendar"),
    path("clubs/<str:slug>/events/", events.club_events, name="club_events"),
    path("clubs/<str:slug>/events/new/", events.event_create, name="event_create"),
    path("clubs/<str:slug>/events/<int:pk>/", events.event_detail, name="event"),
    path("clubs/<str:slug>/events/<int:pk>/edit/", events.event_edit, name="event_edit"),
    path("clubs/<str:slug>/events/<int:pk>/cancel/", events.event_cancel, name="event_cancel"),
    path("clubs/<str:slug>/events/<int:pk>/rsvp/", events.event_rsvp, name="event_rsvp"),
    path("clubs/<str:slug>/events/<int:pk>/ticket/", events.event_ticket, name="event_ticket"),
    path("clubs/<str:slug>/events/<int:pk>/checkin/", events.event_checkin, name="event_checkin"),
    path("clubs/<str:slug>/events/<int:pk>/album/", events.event_album, name="event_album"),
    path(
        "clubs/<str:slug>/events/<int:pk>/album/<int:photo_id>/<str:rendition>/",
        events.event_photo,
        name="event_photo",
    ),
    path("clubs/<str:slug>/events/<int:pk>/reviews/", events.event_reviews, name="event_reviews"),
    path("clubs/<str:slug>/events/<int:pk>/event.ics", events.event_ics, name="event_ics"),
]

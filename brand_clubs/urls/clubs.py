from django.urls import path

from brand_clubs.views import clubs

urlpatterns = [
    path("clubs/", clubs.club_list, name="club_list"),
    path("clubs/<str:slug>/", clubs.club_detail, name="club"),
    path("clubs/<str:slug>/join/", clubs.club_join, name="club_join"),
    path("clubs/<str:slug>/leave/", clubs.club_leave, name="club_leave"),
    path("clubs/<str:slug>/members/", clubs.club_members, name="club_members"),
    path("clubs/<str:slug>/requests/", clubs.club_requests, name="club_requests"),
    path(
        "clubs/<str:slug>/members/<int:member_id>/<str:action>/",
        clubs.club_member_action,
        name="club_member_action",
    ),
    path("clubs/<str:slug>/invites/", clubs.club_invites, name="club_invites"),
    path(
        "clubs/<str:slug>/invites/<int:invite_id>/revoke/",
        clubs.club_invite_revoke,
        name="club_invite_revoke",
    ),
    path("clubs/<str:slug>/audit/", clubs.club_audit, name="club_audit"),
    path("invite/<str:token>/", clubs.invite_accept, name="invite"),
]

from django.urls import path

from brand_clubs.views import feed

# A post's action URLs are its own URL plus a suffix (templates/brand_clubs/_post.html
# builds them so, with one reverse() per post): keep it that way.
urlpatterns = [
    path("clubs/<str:slug>/feed/", feed.club_feed, name="club_feed"),
    path("clubs/<str:slug>/posts/<int:pk>/", feed.post_detail, name="post"),
    path("clubs/<str:slug>/posts/<int:pk>/edit/", feed.post_edit, name="post_edit"),
    path("clubs/<str:slug>/posts/<int:pk>/delete/", feed.post_delete, name="post_delete"),
    path("clubs/<str:slug>/posts/<int:pk>/like/", feed.post_like, name="post_like"),
    path("clubs/<str:slug>/posts/<int:pk>/pin/", feed.post_pin, name="post_pin"),
    path("clubs/<str:slug>/posts/<int:pk>/hide/", feed.post_hide, name="post_hide"),
    path("clubs/<str:slug>/posts/<int:pk>/restore/", feed.post_restore, name="post_restore"),
    path("clubs/<str:slug>/posts/<int:pk>/approve/", feed.post_approve, name="post_approve"),
    path("clubs/<str:slug>/posts/<int:pk>/reject/", feed.post_reject, name="post_reject"),
    path("clubs/<str:slug>/pending/", feed.club_pending_posts, name="club_pending_posts"),
    path("clubs/<str:slug>/comments/<int:pk>/delete/", feed.comment_delete, name="comment_delete"),
    path("clubs/<str:slug>/comments/<int:pk>/hide/", feed.comment_hide, name="comment_hide"),
    path(
        "clubs/<str:slug>/photos/<int:photo_id>/<str:rendition>/",
        feed.post_photo,
        name="post_photo",
    ),
]

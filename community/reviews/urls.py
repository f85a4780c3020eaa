from django.urls import path

from community.reviews import views

app_name = "reviews"
urlpatterns = [
    path("new/<int:product_id>/", views.review_create, name="create"),
    path("moderation/", views.moderation_queue, name="moderation_queue"),
    path("<int:pk>/", views.review_detail, name="detail"),
    path("<int:pk>/edit/", views.review_edit, name="edit"),
    path("<int:pk>/delete/", views.review_delete, name="delete"),
    path("<int:pk>/helpful/", views.review_helpful, name="helpful"),
    path("<int:pk>/flag/", views.review_flag, name="flag"),
    path("<int:pk>/reply/", views.brand_reply, name="reply"),
]

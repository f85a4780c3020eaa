"""Questions and answers (helper B's part of the experts namespace)."""

from django.urls import path

from experts.views import questions as views

urlpatterns = [
    path("questions/", views.question_list, name="question_list"),
    path("questions/ask/", views.question_ask, name="question_ask"),
    path("questions/for-me/", views.questions_for_me, name="questions_for_me"),
    path("questions/mine/", views.questions_mine, name="questions_mine"),
    path("questions/vote/", views.vote, name="vote"),
    path("questions/comments/", views.comment_create, name="comment_create"),
    path("questions/comments/<int:pk>/delete/", views.comment_delete, name="comment_delete"),
    path("questions/<int:pk>/", views.question_detail, name="question_detail"),
    path("questions/<int:question_pk>/answer/", views.answer_create, name="answer_create"),
    path("questions/<int:pk>/close/", views.question_close, name="question_close"),
    path("questions/<int:pk>/reopen/", views.question_reopen, name="question_reopen"),
    path("questions/<int:pk>/hide/", views.question_hide, name="question_hide"),
    path("questions/<int:pk>/restore/", views.question_restore, name="question_restore"),
    path("questions/answers/<int:pk>/edit/", views.answer_edit, name="answer_edit"),
    path("questions/answers/<int:pk>/history/", views.answer_history, name="answer_history"),
    path(
        "questions/answers/versions/<int:pk>/restore/",
        views.answer_revision_restore,
        name="answer_revision_restore",
    ),
    path("questions/answers/<int:pk>/delete/", views.answer_delete, name="answer_delete"),
    path("questions/answers/<int:answer_pk>/accept/", views.answer_accept, name="accept"),
    path("questions/answers/<int:pk>/hide/", views.answer_hide, name="answer_hide"),
    path("questions/answers/<int:pk>/restore/", views.answer_restore, name="answer_restore"),
]

"""The knowledge base (helper D's part of the experts namespace). The pages themselves
are Wagtail pages under "Help from experts", served by Wagtail."""

from django.urls import path

from experts.views import knowledge as views

urlpatterns = [
    path(
        "questions/answers/<int:answer_pk>/promote/",
        views.answer_promote,
        name="answer_promote",
    ),
]

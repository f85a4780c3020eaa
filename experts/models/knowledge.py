"""The knowledge base: accepted answers promoted by moderators into Wagtail pages, so a
good answer becomes self-service help (rendered with QAPage structured data)."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _
from wagtail.admin.panels import FieldPanel
from wagtail.fields import RichTextField
from wagtail.models import Page


class KnowledgeBaseIndexPage(Page):
    """The "Help from experts" section: lists its published answer pages."""

    intro = RichTextField(_("introduction"), blank=True)

    content_panels = [*Page.content_panels, FieldPanel("intro")]
    max_count = 1
    parent_page_types = ["home.HomePage"]
    subpage_types = ["experts.KnowledgeBasePage"]

    class Meta:
        verbose_name = _("knowledge base")


class KnowledgeBasePage(Page):
    """One question and its accepted answer. Created by
    experts.services.knowledge.answer_promote; editors may polish the text afterwards."""

    question_body = RichTextField(_("question details"), blank=True)
    answer_body = RichTextField(_("answer"))
    answer_author_name = models.CharField(_("answered by"), max_length=120)
    answer_author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    answer_expert_label = models.CharField(
        _("expert label"),
        max_length=200,
        blank=True,
        help_text=_(
            "How the author was certified when they answered, e.g. “Brand employee · RoadGrip”."
        ),
    )
    answered_at = models.DateTimeField(_("answered"))
    upvote_count = models.PositiveIntegerField(_("up votes"), default=0)
    source_question = models.OneToOneField(
        "experts.Question",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="knowledge_page",
    )
    source_answer = models.ForeignKey(
        "experts.Answer", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    content_panels = [
        *Page.content_panels,
        FieldPanel("question_body"),
        FieldPanel("answer_body"),
        FieldPanel("answer_author_name"),
        FieldPanel("answer_expert_label"),
    ]
    parent_page_types = ["experts.KnowledgeBaseIndexPage"]
    subpage_types = []

    class Meta:
        verbose_name = _("knowledge-base answer")

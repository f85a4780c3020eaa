"""Questions and answers: asked to the community, about a product, or to one expert."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Question(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        CLOSED = "closed", _("Closed")

    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="questions"
    )
    title = models.CharField(_("question"), max_length=200)
    body = models.TextField(_("details"), max_length=10_000, blank=True)
    body_html = models.TextField(editable=False, blank=True)
    language = models.CharField(max_length=5, default="en")
    product = models.ForeignKey(
        "brand_clubs.Product",
        verbose_name=_("product"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
    )
    category = models.ForeignKey(
        "brand_clubs.Category",
        verbose_name=_("field"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions",
        help_text=_("The field of expertise; taken from the product when there is one."),
    )
    directed_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("asked to"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="questions_received",
    )
    # When a directed question is answered late, the deadline it was asked under.
    answer_due_at = models.DateTimeField(null=True, blank=True)
    offered_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text=_("When the overdue question was offered to other experts of its field."),
    )
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_reason = models.CharField(max_length=300, blank=True)
    accepted_answer = models.OneToOneField(
        "experts.Answer",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="accepted_for",
    )
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=500, blank=True)
    answer_count = models.PositiveIntegerField(default=0)
    score = models.IntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)
    last_activity_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(fields=["directed_to", "status", "answer_due_at"]),
            models.Index(fields=["category", "-created_at"]),
            models.Index(fields=["product", "-created_at"]),
        ]
        verbose_name = _("question")
        verbose_name_plural = _("questions")

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("experts:question_detail", args=[self.pk])


class Answer(models.Model):
    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="answers")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="answers"
    )
    body = models.TextField(_("answer"), max_length=10_000)
    body_html = models.TextField(editable=False)
    # Snapshot when written: the author held a current certificate in the question's
    # field (or any, for a question without a field). Kept if the certificate ends,
    # because it was true when the answer was given.
    expert_certificate = models.ForeignKey(
        "experts.Certificate",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="answers",
    )
    expert_tier = models.CharField(max_length=12, blank=True)
    # The question's product is made by a brand the author works for (a BrandStaff
    # link or a brand-staff certificate) when they answered: shown beside the answer
    # as "Brand employee · <brand>" whatever tier their certificate has.
    brand_affiliation = models.ForeignKey(
        "brand_clubs.Brand",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    score = models.IntegerField(default=0)
    up_count = models.PositiveIntegerField(default=0)
    down_count = models.PositiveIntegerField(default=0)
    photo_count = models.PositiveSmallIntegerField(default=0)
    is_hidden = models.BooleanField(default=False)
    hidden_reason = models.CharField(max_length=500, blank=True)
    # A community wiki: its author invites members of trust level 3 (Privilege.EDIT_WIKI)
    # to improve it. It stays the author's answer: votes and acceptance still count
    # for the author alone.
    is_wiki = models.BooleanField(_("community wiki"), default=False)
    # Whoever saved the last edit (the author or, on a wiki answer, another member).
    edited_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("last edited by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)
    edited_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["question", "author"], name="one_answer_per_author")
        ]
        indexes = [models.Index(fields=["author", "-created_at"])]
        verbose_name = _("answer")
        verbose_name_plural = _("answers")

    def __str__(self):
        return f"Answer {self.pk} to question {self.question_id}"

    @property
    def is_expert_answer(self) -> bool:
        return bool(self.expert_tier)

    @property
    def shows_brand_affiliation(self) -> bool:
        """The separate label is needed unless the expert mark already names the
        employer (an answer written under a brand-staff certificate)."""
        return bool(self.brand_affiliation_id) and self.expert_tier != "brand_staff"


class AnswerRevision(models.Model):
    """An earlier version of an answer's text, kept when an edit replaces it (as
    community.reviews' ReviewRevision): the edit history a wiki answer's author and
    moderators can restore from. `editor` and `created_at` describe the version kept:
    who wrote it (the author, or the last editor) and when."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="revisions")
    body = models.TextField(_("answer"))
    editor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("written by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(
        _("written at"), default=timezone.now, help_text=_("When this version was written.")
    )
    replaced_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["answer", "-created_at", "-id"])]
        verbose_name = _("answer revision")
        verbose_name_plural = _("answer revisions")

    def __str__(self):
        return f"Revision {self.pk} of answer {self.answer_id}"


def answer_photo_path(instance, filename):
    return f"answers/{instance.answer_id}/{filename}"


class AnswerPhoto(models.Model):
    """Public like review photos, through the same pipeline (community.reviews.photos)."""

    answer = models.ForeignKey(Answer, on_delete=models.CASCADE, related_name="photos")
    position = models.PositiveSmallIntegerField(default=0)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    thumb = models.FileField(upload_to=answer_photo_path, max_length=200)
    thumb_webp = models.FileField(upload_to=answer_photo_path, max_length=200)
    medium = models.FileField(upload_to=answer_photo_path, max_length=200)
    medium_webp = models.FileField(upload_to=answer_photo_path, max_length=200)
    large = models.FileField(upload_to=answer_photo_path, max_length=200)
    large_webp = models.FileField(upload_to=answer_photo_path, max_length=200)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]

    def __str__(self):
        return f"Photo {self.position} of answer {self.answer_id}"


class QAComment(models.Model):
    """A short comment on a question or on an answer (exactly one of them)."""

    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="comments"
    )
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qa_comments"
    )
    body = models.TextField(_("comment"), max_length=1000)
    body_html = models.TextField(editable=False)
    is_hidden = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(question__isnull=False, answer__isnull=True)
                | models.Q(question__isnull=True, answer__isnull=False),
                name="qa_comment_on_one",
            )
        ]
        verbose_name = _("comment")
        verbose_name_plural = _("comments")

    def __str__(self):
        return self.body[:60]


class Vote(models.Model):
    """An up or down vote on a question or an answer; a down vote names its reason."""

    class Reason(models.TextChoices):
        INCORRECT = "incorrect", _("Incorrect or misleading")
        UNSAFE = "unsafe", _("Unsafe advice")
        UNCLEAR = "unclear", _("Unclear or hard to follow")
        OFF_TOPIC = "off_topic", _("Does not answer the question")
        OUTDATED = "outdated", _("Out of date")
        NO_SOURCES = "no_sources", _("Claims without sources")

    UP = 1
    DOWN = -1

    voter = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="qa_votes"
    )
    question = models.ForeignKey(
        Question, on_delete=models.CASCADE, null=True, blank=True, related_name="votes"
    )
    answer = models.ForeignKey(
        Answer, on_delete=models.CASCADE, null=True, blank=True, related_name="votes"
    )
    value = models.SmallIntegerField(choices=[(UP, "+1"), (DOWN, "-1")])
    reason = models.CharField(max_length=12, choices=Reason.choices, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=models.Q(question__isnull=False, answer__isnull=True)
                | models.Q(question__isnull=True, answer__isnull=False),
                name="qa_vote_on_one",
            ),
            models.UniqueConstraint(
                fields=["voter", "question"],
                condition=models.Q(question__isnull=False),
                name="one_vote_per_question",
            ),
            models.UniqueConstraint(
                fields=["voter", "answer"],
                condition=models.Q(answer__isnull=False),
                name="one_vote_per_answer",
            ),
            models.CheckConstraint(
                condition=models.Q(value=1, reason="") | models.Q(value=-1) & ~models.Q(reason=""),
                name="down_vote_has_reason",
            ),
        ]

    def __str__(self):
        target = f"answer {self.answer_id}" if self.answer_id else f"question {self.question_id}"
        return f"{self.value:+d} on {target}"

"""Search-index upkeep for the experts app, the one job signals do here (as in
search/signals.py). search.signals already reindexes on saves and deletes of the
models and dependencies in experts/search_documents.py; these receivers cover what
that cannot see:

- a certificate's fields (categories, brands) change by many-to-many writes, which
  save no model: the member's expert document and their answers' context;
- a member's name or active state (Member is not a dependency there: every login saves
  the member, and only these fields matter);
- knowledge-base pages: Wagtail saves them under their own class, which search's
  page document does not listen to, so publishing, editing, unpublishing and deleting
  one reindexes its "page" document here."""

from django.db.models.signals import m2m_changed, post_delete, post_save

from community.members.models import Member
from experts.models import (
    Answer,
    Certificate,
    ExpertProfile,
    KnowledgeBaseIndexPage,
    KnowledgeBasePage,
)
from search import registry
from search.indexing import keys_changed

# Saving a member with update_fields (e.g. last_login at every sign-in) reindexes
# nothing unless one of these changed.
MEMBER_FIELDS_SHOWN = frozenset({"display_name", "is_active", "expert_badge"})

_connected = False


def expert_index_keys(member_ids) -> list[str]:
    """Search keys of what shows these members' names and certificates: their expert
    documents and their answers."""
    member_ids = list(member_ids)
    if not member_ids:
        return []
    profiles = ExpertProfile.objects.filter(member_id__in=member_ids).values_list("pk", flat=True)
    answers = Answer.objects.filter(author_id__in=member_ids).values_list("pk", flat=True)
    return [f"expert:{pk}" for pk in profiles] + [f"answer:{pk}" for pk in answers]


def expert_index_refresh(*, member_ids) -> None:
    """Reindex these members' expert documents and answers now. For writes that send
    no signal: queryset updates such as the daily expiry run's and a revocation's
    unmarking of answers (experts.services.certification calls it after them)."""
    keys_changed(expert_index_keys(member_ids))


def _on_certificate_fields(sender, instance, action, reverse, pk_set, raw=False, **kwargs):
    if raw or action not in ("post_add", "post_remove", "post_clear"):
        return
    if reverse:  # a category or brand gained or lost certificates
        if not pk_set:
            return
        member_ids = set(
            Certificate.objects.filter(pk__in=pk_set).values_list("member_id", flat=True)
        )
    else:
        member_ids = {instance.member_id}
    expert_index_refresh(member_ids=member_ids)


def _on_member_save(sender, instance, created=False, raw=False, update_fields=None, **kwargs):
    if raw or created:
        return
    if update_fields is not None and not (MEMBER_FIELDS_SHOWN & set(update_fields)):
        return
    expert_index_refresh(member_ids=[instance.pk])


def _on_page_change(sender, instance, raw=False, **kwargs):
    if raw or registry.document_type("page") is None:
        return
    keys_changed([f"page:{instance.pk}"])


def connect() -> None:
    global _connected
    if _connected:
        return
    for field in ("categories", "brands"):
        through = getattr(Certificate, field).through
        m2m_changed.connect(
            _on_certificate_fields, sender=through, dispatch_uid=f"experts-search-{field}"
        )
    post_save.connect(_on_member_save, sender=Member, dispatch_uid="experts-search-member")
    for model in (KnowledgeBasePage, KnowledgeBaseIndexPage):
        for signal, verb in ((post_save, "save"), (post_delete, "delete")):
            signal.connect(
                _on_page_change,
                sender=model,
                dispatch_uid=f"experts-search-{verb}-{model.__name__}",
            )
    _connected = True

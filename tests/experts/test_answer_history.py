"""The edit history of answers: every edit keeps the text it replaces (AnswerRevision),
the history page lists the earlier versions, and the answer's author or a moderator
restores one (an edit in turn, behind the same links gate)."""

from datetime import UTC, datetime, timedelta

import pytest
from django.test import Client
from django.urls import reverse

from community.errors import AccessDenied, Conflict, DomainError
from community.reputation.gates import html_has_link
from community.reputation.rules import TrustLevel
from experts.models import Answer, AnswerRevision, Question
from experts.services import questions as services
from tests.experts.factories_questions import use_credentials_stand_in
from tests.factories import (
    AnswerFactory,
    MemberFactory,
    ModeratorFactory,
    QuestionFactory,
    no_rate_limits,
)

pytestmark = pytest.mark.django_db

LINKED = "The manual says so: [page 12](https://maker.example.com/manual.pdf)."


@pytest.fixture(autouse=True)
def _setup(settings):
    use_credentials_stand_in(settings)
    no_rate_limits(settings)


def member(level=TrustLevel.NEW, **kwargs):
    return MemberFactory(trust_level=level, **kwargs)


@pytest.fixture
def wiki():
    return services.answer_create(
        author=member(), question=QuestionFactory(), body="Start *here*.", is_wiki=True
    )


def history_url(answer) -> str:
    return reverse("experts:answer_history", args=[answer.pk])


def restore_url(revision) -> str:
    return reverse("experts:answer_revision_restore", args=[revision.pk])


def revisions(answer) -> list[AnswerRevision]:
    return list(AnswerRevision.objects.filter(answer=answer).order_by("-created_at", "-pk"))


# --- every edit keeps the text it replaces ------------------------------------------------


def test_each_edit_keeps_the_previous_text_with_who_wrote_it_and_when(wiki):
    regular = member(TrustLevel.REGULAR)
    created_at = Answer.objects.get(pk=wiki.pk).created_at
    first = services.answer_update(editor=wiki.author, answer=wiki, body="Second text.")
    services.answer_update(editor=regular, answer=wiki, body="Third text.")
    kept = revisions(wiki)
    assert [r.body for r in kept] == ["Second text.", "Start *here*."]
    assert [r.editor for r in kept] == [wiki.author, wiki.author]
    assert kept[1].created_at == created_at
    assert kept[0].created_at == first.edited_at
    # The answer holds the regular's text; the next edit keeps it under their name.
    services.answer_update(editor=wiki.author, answer=wiki, body="Fourth text.")
    newest = revisions(wiki)[0]
    assert newest.body == "Third text." and newest.editor == regular


def test_an_edit_of_an_answer_that_is_not_a_wiki_is_kept_too():
    author = member()
    answer = services.answer_create(author=author, question=QuestionFactory(), body="Mine.")
    services.answer_update(editor=author, answer=answer, body="Mine, better.")
    assert [(r.body, r.editor) for r in revisions(answer)] == [("Mine.", author)]


def test_a_refused_edit_keeps_nothing(wiki):
    with pytest.raises(DomainError):
        services.answer_update(editor=wiki.author, answer=wiki, body=LINKED)
    with pytest.raises(AccessDenied):
        services.answer_update(editor=member(TrustLevel.MEMBER), answer=wiki, body="No.")
    assert not AnswerRevision.objects.exists()


def test_an_editor_who_leaves_stays_in_the_history_as_nobody(wiki):
    regular = member(TrustLevel.REGULAR)
    services.answer_update(editor=regular, answer=wiki, body="Regular's text.")
    services.answer_update(editor=wiki.author, answer=wiki, body="Author's text.")
    regular.delete()
    newest = revisions(wiki)[0]
    assert newest.body == "Regular's text." and newest.editor is None


def test_the_answer_keeps_its_authors_expert_label_when_a_regular_edits_it(wiki):
    Answer.objects.filter(pk=wiki.pk).update(expert_tier="independent")
    services.answer_update(editor=member(TrustLevel.REGULAR), answer=wiki, body="Better.")
    assert Answer.objects.get(pk=wiki.pk).expert_tier == "independent"


# --- restoring ----------------------------------------------------------------------------


def test_author_restores_a_version_and_the_replaced_text_is_kept(wiki):
    regular = member(TrustLevel.REGULAR)
    services.answer_update(editor=regular, answer=wiki, body="Vandalised.")
    original = revisions(wiki)[0]
    restored = services.answer_revision_restore(actor=wiki.author, revision=original)
    assert restored.body == "Start *here*." and "<em>here</em>" in restored.body_html
    assert restored.edited_by == wiki.author
    stored = Answer.objects.get(pk=wiki.pk)
    assert stored.body == "Start *here*." and stored.body_html == restored.body_html
    newest = revisions(wiki)[0]
    assert newest.body == "Vandalised." and newest.editor == regular
    assert AnswerRevision.objects.filter(answer=wiki).count() == 2


def test_a_moderator_restores_a_version_of_any_answer():
    author = member()
    answer = services.answer_create(author=author, question=QuestionFactory(), body="First.")
    services.answer_update(editor=author, answer=answer, body="Second.")
    moderator = ModeratorFactory()
    services.answer_revision_restore(actor=moderator, revision=revisions(answer)[0])
    stored = Answer.objects.get(pk=answer.pk)
    assert stored.body == "First." and stored.edited_by == moderator and not stored.is_wiki


@pytest.mark.parametrize("level", [TrustLevel.REGULAR, TrustLevel.LEADER])
def test_other_members_cannot_restore_even_wiki_editors(wiki, level):
    services.answer_update(editor=wiki.author, answer=wiki, body="Second.")
    with pytest.raises(AccessDenied):
        services.answer_revision_restore(actor=member(level), revision=revisions(wiki)[0])
    assert Answer.objects.get(pk=wiki.pk).body == "Second."


def test_restoring_follows_the_rules_of_editing(wiki):
    services.answer_update(editor=wiki.author, answer=wiki, body="Second.")
    revision = revisions(wiki)[0]
    Question.objects.filter(pk=wiki.question_id).update(status=Question.Status.CLOSED)
    with pytest.raises(Conflict):
        services.answer_revision_restore(actor=wiki.author, revision=revision)
    Question.objects.filter(pk=wiki.question_id).update(status=Question.Status.OPEN)
    Answer.objects.filter(pk=wiki.pk).update(is_hidden=True)
    with pytest.raises(AccessDenied):
        services.answer_revision_restore(actor=wiki.author, revision=revision)
    assert Answer.objects.get(pk=wiki.pk).body == "Second."
    assert AnswerRevision.objects.filter(answer=wiki).count() == 1


def test_restoring_a_link_the_current_text_lacks_needs_the_links_privilege(wiki):
    regular = member(TrustLevel.REGULAR)
    services.answer_update(editor=regular, answer=wiki, body=LINKED)
    services.answer_update(editor=regular, answer=wiki, body="The link is gone.")
    linked = revisions(wiki)[0]
    assert linked.body == LINKED
    with pytest.raises(DomainError) as info:
        services.answer_revision_restore(actor=wiki.author, revision=linked)
    assert info.value.code == "privilege"
    assert Answer.objects.get(pk=wiki.pk).body == "The link is gone."
    services.answer_revision_restore(actor=ModeratorFactory(), revision=linked)
    assert html_has_link(Answer.objects.get(pk=wiki.pk).body_html)


def test_restoring_a_version_with_a_link_the_current_text_has_is_allowed(wiki):
    regular = member(TrustLevel.REGULAR)
    services.answer_update(editor=regular, answer=wiki, body=LINKED)
    services.answer_update(editor=regular, answer=wiki, body="Reworded. " + LINKED)
    services.answer_revision_restore(actor=wiki.author, revision=revisions(wiki)[0])
    assert Answer.objects.get(pk=wiki.pk).body == LINKED


# --- the history page -----------------------------------------------------------------


def test_the_edit_history_link_shows_on_edited_answers_only(client, wiki):
    page = client.get(wiki.question.get_absolute_url()).content.decode()
    assert history_url(wiki) not in page
    services.answer_update(editor=wiki.author, answer=wiki, body="Edited.")
    page = client.get(wiki.question.get_absolute_url()).content.decode()
    assert history_url(wiki) in page and "Edit history" in page


def test_history_page_lists_versions_newest_first_rendered_in_the_viewers_zone(client, wiki):
    regular = member(TrustLevel.REGULAR, display_name="Rita Regular")
    services.answer_update(editor=regular, answer=wiki, body="Regular's **bold** text.")
    services.answer_update(editor=wiki.author, answer=wiki, body="Current text.")
    older, newer = sorted(revisions(wiki), key=lambda r: r.created_at)
    AnswerRevision.objects.filter(pk=older.pk).update(
        created_at=datetime(2025, 1, 2, 3, 4, tzinfo=UTC)
    )
    AnswerRevision.objects.filter(pk=newer.pk).update(
        created_at=datetime(2025, 3, 4, 5, 6, tzinfo=UTC)
    )
    client.force_login(member(time_zone="Asia/Shanghai"))
    response = client.get(history_url(wiki))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Current text." in html
    # Newest first, each rendered as the answer is (Markdown, sanitised).
    assert html.index("<strong>bold</strong>") < html.index("Start <em>here</em>.")
    assert "Rita Regular" in html and wiki.author.public_name in html
    # UTC+8, the viewer's zone.
    assert 'datetime="2025-01-02T11:04:00+08:00"' in html
    assert 'datetime="2025-03-04T13:06:00+08:00"' in html
    # Only the author and moderators restore.
    assert restore_url(older) not in html


def test_history_renders_revisions_through_the_sanitiser(client, wiki):
    AnswerRevision.objects.create(
        answer=wiki,
        body='<script>alert(1)</script> [x](javascript:alert(2)) <b onclick="x()">b</b>',
        editor=wiki.author,
    )
    html = client.get(history_url(wiki)).content.decode()
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html  # shown as text, not run
    assert "<script>alert(1)" not in html
    assert 'href="javascript' not in html and "<b onclick" not in html


def test_author_and_moderator_see_the_restore_links(client, wiki):
    services.answer_update(editor=wiki.author, answer=wiki, body="Second.")
    revision = revisions(wiki)[0]
    for viewer in (wiki.author, ModeratorFactory()):
        client.force_login(viewer)
        assert restore_url(revision) in client.get(history_url(wiki)).content.decode()
    Question.objects.filter(pk=wiki.question_id).update(status=Question.Status.CLOSED)
    assert restore_url(revision) not in client.get(history_url(wiki)).content.decode()


def test_anonymous_visitors_read_the_history_of_a_visible_answer(client, wiki):
    response = client.get(history_url(wiki))
    assert response.status_code == 200
    assert "No earlier versions" in response.content.decode()


def test_history_of_hidden_content_is_for_those_who_can_see_it(client, wiki):
    services.answer_update(editor=wiki.author, answer=wiki, body="Second.")
    Answer.objects.filter(pk=wiki.pk).update(is_hidden=True)
    client.force_login(member(TrustLevel.LEADER))
    assert client.get(history_url(wiki)).status_code == 404
    assert client.get(restore_url(revisions(wiki)[0])).status_code == 404
    client.force_login(wiki.author)
    assert client.get(history_url(wiki)).status_code == 200
    Answer.objects.filter(pk=wiki.pk).update(is_hidden=False)
    Question.objects.filter(pk=wiki.question_id).update(is_hidden=True)
    client.force_login(member())
    assert client.get(history_url(wiki)).status_code == 404
    client.force_login(ModeratorFactory())
    assert client.get(history_url(wiki)).status_code == 200


@pytest.mark.parametrize("pk", ["999999", "99999999999999999999"])
def test_unknown_answers_and_versions_are_404(client, pk):
    history = reverse("experts:answer_history", args=[pk])
    restore = reverse("experts:answer_revision_restore", args=[pk])
    assert client.get(history).status_code == 404
    client.force_login(member())
    assert client.get(restore).status_code == 404


def test_history_pages_through_the_versions(client):
    answer = AnswerFactory(edited_at=datetime(2025, 6, 1, tzinfo=UTC))
    start = datetime(2025, 1, 1, tzinfo=UTC)
    AnswerRevision.objects.bulk_create(
        AnswerRevision(answer=answer, body=f"Version {n:02d}", created_at=start + timedelta(days=n))
        for n in range(25)
    )
    first = client.get(history_url(answer)).content.decode()
    assert "Version 24" in first and "Version 05" in first and "Version 04" not in first
    second = client.get(history_url(answer) + "?page=2").content.decode()
    assert "Version 04" in second and "Version 00" in second and "Version 05" not in second
    assert client.get(history_url(answer) + "?page=junk").status_code == 200


@pytest.mark.parametrize("count", [3, 30])
def test_history_page_query_count_is_fixed(client, django_assert_max_num_queries, count):
    answer = AnswerFactory(edited_at=datetime(2025, 6, 1, tzinfo=UTC))
    start = datetime(2025, 1, 1, tzinfo=UTC)
    AnswerRevision.objects.bulk_create(
        AnswerRevision(
            answer=answer,
            body=f"Version **{n}** by someone",
            editor=MemberFactory(),
            created_at=start + timedelta(days=n),
        )
        for n in range(count)
    )
    client.force_login(ModeratorFactory())
    with django_assert_max_num_queries(9):
        response = client.get(history_url(answer))
    assert response.status_code == 200
    assert response.content.decode().count('class="revision card"') == min(count, 20)


# --- the restore page ---------------------------------------------------------------------


def test_author_confirms_and_restores_a_version(client, wiki):
    regular = member(TrustLevel.REGULAR)
    services.answer_update(editor=regular, answer=wiki, body="Vandalised.")
    revision = revisions(wiki)[0]
    client.force_login(wiki.author)
    response = client.get(restore_url(revision))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Start <em>here</em>." in html and "Restore it" in html
    assert Answer.objects.get(pk=wiki.pk).body == "Vandalised."  # GET changes nothing
    response = client.post(restore_url(revision))
    assert response.status_code == 302
    assert response["Location"].endswith(f"#answer-{wiki.pk}")
    assert Answer.objects.get(pk=wiki.pk).body == "Start *here*."
    assert revisions(wiki)[0].body == "Vandalised."


def test_restore_needs_the_csrf_token(wiki):
    services.answer_update(editor=wiki.author, answer=wiki, body="Second.")
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(wiki.author)
    response = strict.post(restore_url(revisions(wiki)[0]))
    assert response.status_code == 403
    assert Answer.objects.get(pk=wiki.pk).body == "Second."


def test_others_get_403_on_the_restore_page(client, wiki):
    services.answer_update(editor=wiki.author, answer=wiki, body="Second.")
    revision = revisions(wiki)[0]
    client.force_login(member(TrustLevel.LEADER))
    assert client.get(restore_url(revision)).status_code == 403
    assert client.post(restore_url(revision)).status_code == 403
    assert Answer.objects.get(pk=wiki.pk).body == "Second."


def test_restore_page_asks_anonymous_visitors_to_log_in(client, wiki):
    services.answer_update(editor=wiki.author, answer=wiki, body="Second.")
    response = client.post(restore_url(revisions(wiki)[0]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_refused_restore_is_shown_on_the_confirmation_page(client, wiki):
    regular = member(TrustLevel.REGULAR)
    services.answer_update(editor=regular, answer=wiki, body=LINKED)
    services.answer_update(editor=regular, answer=wiki, body="The link is gone.")
    client.force_login(wiki.author)
    response = client.post(restore_url(revisions(wiki)[0]))
    assert response.status_code == 400
    assert "opens at trust level 1" in response.content.decode()
    assert Answer.objects.get(pk=wiki.pk).body == "The link is gone."


def test_restore_on_a_closed_question_says_so_without_a_form(client, wiki):
    services.answer_update(editor=wiki.author, answer=wiki, body="Second.")
    revision = revisions(wiki)[0]
    Question.objects.filter(pk=wiki.question_id).update(status=Question.Status.CLOSED)
    client.force_login(wiki.author)
    response = client.get(restore_url(revision))
    assert response.status_code == 200 and "Restore it" not in response.content.decode()
    response = client.post(restore_url(revision))
    assert response.status_code == 409
    assert Answer.objects.get(pk=wiki.pk).body == "Second."

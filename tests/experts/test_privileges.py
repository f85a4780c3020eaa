"""Trust-level gates on questions and answers (ADR 0008): links in questions, answers
and comments and more than one photo on an answer from level 1; community wiki answers
that members of level 3 may edit; items read counted on the question page."""

import pytest
from django.urls import reverse

from community.errors import AccessDenied, DomainError
from community.reputation.gates import access_new_links, html_has_link, html_link_targets
from community.reputation.models import MemberVisit, ReputationEntry
from community.reputation.rules import Reason, TrustLevel
from community.text import render_markdown
from experts.models import Answer, AnswerPhoto, QAComment, Question, Vote
from experts.services import questions as services
from tests.experts.factories_questions import use_credentials_stand_in
from tests.factories import (
    AnswerFactory,
    MemberFactory,
    ModeratorFactory,
    QuestionFactory,
    image_upload,
)

pytestmark = pytest.mark.django_db

LINKED = "The manual says so: [page 12](https://maker.example.com/manual.pdf)."
AUTOLINKED = "See <https://maker.example.com/manual.pdf>."


@pytest.fixture(autouse=True)
def _credentials_url(settings):
    use_credentials_stand_in(settings)


def refused(exc_info, field: str, level: int = 1) -> None:
    error = exc_info.value
    assert type(error) is DomainError
    assert error.field == field and error.code == "privilege"
    assert f"trust level {level}" in str(error.message)


def member(level=TrustLevel.NEW):
    return MemberFactory(trust_level=level)


# --- links -----------------------------------------------------------------------------


@pytest.mark.parametrize("body", [LINKED, AUTOLINKED])
def test_new_member_cannot_ask_with_a_link(body):
    with pytest.raises(DomainError) as info:
        services.question_ask(author=member(), title="Which oil is right for it?", body=body)
    refused(info, "body")
    assert not Question.objects.exists()


def test_a_url_in_the_title_is_plain_text_and_allowed():
    question = services.question_ask(
        author=member(), title="Is https://maker.example.com legit?", body="Just asking."
    )
    assert question.pk


def test_basic_member_and_moderator_ask_with_links():
    for author in (member(TrustLevel.BASIC), ModeratorFactory()):
        question = services.question_ask(
            author=author, title="Which oil is right for it?", body=LINKED
        )
        assert html_has_link(question.body_html)


def test_new_member_cannot_answer_with_a_link():
    question = QuestionFactory()
    with pytest.raises(DomainError) as info:
        services.answer_create(author=member(), question=question, body=AUTOLINKED)
    refused(info, "body")
    assert not Answer.objects.exists()


def test_basic_member_answers_with_a_link():
    answer = services.answer_create(
        author=member(TrustLevel.BASIC), question=QuestionFactory(), body=LINKED
    )
    assert html_has_link(answer.body_html)


def test_new_member_cannot_edit_a_link_into_their_answer():
    author = member()
    answer = services.answer_create(author=author, question=QuestionFactory(), body="Plain.")
    with pytest.raises(DomainError) as info:
        services.answer_update(editor=author, answer=answer, body=LINKED)
    refused(info, "body")
    assert Answer.objects.get(pk=answer.pk).body == "Plain."


def test_link_targets_of_rendered_html():
    html = render_markdown(f"{LINKED} {AUTOLINKED} [q](https://a.example.com/?x=1&y=2)")
    assert html_link_targets(html) == {
        "https://maker.example.com/manual.pdf",
        "https://a.example.com/?x=1&y=2",  # entities decoded
    }
    assert html_link_targets("<p>No links.</p>") == set()
    assert html_link_targets("") == set()


def test_only_new_link_targets_are_gated():
    newcomer = member()
    old = render_markdown(LINKED)
    # The same target written another way (an autolink) is not new.
    access_new_links(newcomer, html=render_markdown(AUTOLINKED), old_html=old, field="body")
    access_new_links(newcomer, html="<p>Plain.</p>", old_html=old, field="body")
    with pytest.raises(DomainError) as info:
        access_new_links(
            newcomer, html=render_markdown("<https://x.example.com>"), old_html=old, field="body"
        )
    refused(info, "body")
    access_new_links(
        member(TrustLevel.BASIC),
        html=render_markdown("<https://x.example.com>"),
        old_html=old,
        field="body",
    )


@pytest.mark.parametrize("on", ["question", "answer"])
def test_new_member_cannot_comment_with_a_link(on):
    answer = AnswerFactory()
    target = {"question": answer.question} if on == "question" else {"answer": answer}
    with pytest.raises(DomainError) as info:
        services.comment_create(author=member(), body=AUTOLINKED, **target)
    refused(info, "body")
    assert not QAComment.objects.exists()
    comment = services.comment_create(author=member(TrustLevel.BASIC), body=LINKED, **target)
    assert html_has_link(comment.body_html)


def test_moderator_comments_with_a_link():
    answer = AnswerFactory()
    comment = services.comment_create(author=ModeratorFactory(), body=LINKED, answer=answer)
    assert html_has_link(comment.body_html)


def test_link_refusal_is_a_form_error_on_the_answer_form(client):
    question = QuestionFactory()
    client.force_login(member())
    response = client.post(reverse("experts:answer_create", args=[question.pk]), {"body": LINKED})
    assert response.status_code == 400
    assert "opens at trust level 1" in response.context["answer_form"].errors["body"][0]


# --- photos ----------------------------------------------------------------------------


def test_new_member_answers_with_one_photo_not_two():
    question = QuestionFactory()
    with pytest.raises(DomainError) as info:
        services.answer_create(
            author=member(),
            question=question,
            body="Look.",
            photo_uploads=[image_upload("a.jpg"), image_upload("b.jpg")],
        )
    refused(info, "photos")
    assert not Answer.objects.exists() and not AnswerPhoto.objects.exists()
    answer = services.answer_create(
        author=member(), question=question, body="Look.", photo_uploads=[image_upload()]
    )
    assert answer.photo_count == 1


@pytest.mark.parametrize("author", ["basic", "moderator"])
def test_basic_member_and_moderator_answer_with_several_photos(author):
    who = member(TrustLevel.BASIC) if author == "basic" else ModeratorFactory()
    answer = services.answer_create(
        author=who,
        question=QuestionFactory(),
        body="Look.",
        photo_uploads=[image_upload("a.jpg"), image_upload("b.jpg"), image_upload("c.jpg")],
    )
    assert answer.photo_count == 3


# --- community wiki answers -------------------------------------------------------------


@pytest.fixture
def wiki():
    return services.answer_create(
        author=member(), question=QuestionFactory(), body="Start here.", is_wiki=True
    )


def test_author_makes_an_answer_a_wiki_and_can_unmark_it():
    author = member()
    answer = services.answer_create(author=author, question=QuestionFactory(), body="Hi.")
    assert not answer.is_wiki
    answer = services.answer_update(editor=author, answer=answer, body="Hi.", is_wiki=True)
    assert Answer.objects.get(pk=answer.pk).is_wiki
    services.answer_update(editor=author, answer=answer, body="Hi.", is_wiki=False)
    assert not Answer.objects.get(pk=answer.pk).is_wiki
    # None keeps it as it is.
    answer = services.answer_update(editor=author, answer=answer, body="Hello.")
    assert not answer.is_wiki and answer.edited_by == author


@pytest.mark.parametrize("level", [TrustLevel.REGULAR, TrustLevel.LEADER])
def test_regular_member_edits_a_wiki_answer_and_is_recorded(wiki, level):
    editor = member(level)
    services.answer_update(editor=editor, answer=wiki, body="Start here, then **oil** it.")
    wiki.refresh_from_db()
    assert wiki.body == "Start here, then **oil** it." and "<strong>oil</strong>" in wiki.body_html
    assert wiki.edited_by == editor and wiki.edited_at is not None
    assert wiki.is_wiki and wiki.author != editor


def test_moderator_edits_a_wiki_answer(wiki):
    moderator = ModeratorFactory()
    services.answer_update(editor=moderator, answer=wiki, body="Moderated.")
    assert Answer.objects.get(pk=wiki.pk).edited_by == moderator


@pytest.mark.parametrize("level", [TrustLevel.NEW, TrustLevel.BASIC, TrustLevel.MEMBER])
def test_below_regular_cannot_edit_a_wiki_answer(wiki, level):
    with pytest.raises(AccessDenied) as info:
        services.answer_update(editor=member(level), answer=wiki, body="Mine now.")
    assert info.value.code == "privilege"
    assert "trust level 3" in str(info.value.message)
    assert Answer.objects.get(pk=wiki.pk).body == "Start here."


def test_regular_member_cannot_edit_an_answer_that_is_not_a_wiki():
    answer = services.answer_create(author=member(), question=QuestionFactory(), body="Mine.")
    with pytest.raises(AccessDenied) as info:
        services.answer_update(editor=member(TrustLevel.REGULAR), answer=answer, body="No.")
    assert "only edit your own" in str(info.value.message)
    with pytest.raises(AccessDenied):
        services.answer_update(editor=ModeratorFactory(), answer=answer, body="No.")


def test_only_the_author_changes_the_wiki_mark(wiki):
    with pytest.raises(DomainError) as info:
        services.answer_update(
            editor=member(TrustLevel.REGULAR), answer=wiki, body="Edit.", is_wiki=False
        )
    assert info.value.field == "is_wiki"
    assert Answer.objects.get(pk=wiki.pk).is_wiki
    # Passing the mark unchanged is fine.
    services.answer_update(editor=member(TrustLevel.REGULAR), answer=wiki, body="E.", is_wiki=True)


def test_wiki_edits_follow_the_usual_rules(wiki):
    editor = member(TrustLevel.REGULAR)
    Answer.objects.filter(pk=wiki.pk).update(is_hidden=True)
    wiki.refresh_from_db()
    with pytest.raises(AccessDenied):
        services.answer_update(editor=editor, answer=wiki, body="Edit.")
    Answer.objects.filter(pk=wiki.pk).update(is_hidden=False)
    Question.objects.filter(pk=wiki.question_id).update(status=Question.Status.CLOSED)
    wiki.refresh_from_db()
    with pytest.raises(DomainError) as info:
        services.answer_update(editor=editor, answer=wiki, body="Edit.")
    assert info.value.code == "closed"


def test_an_unmarked_wiki_is_closed_to_editors_again(wiki):
    services.answer_update(editor=wiki.author, answer=wiki, body="Mine again.", is_wiki=False)
    stale = Answer.objects.get(pk=wiki.pk)
    stale.is_wiki = True  # the editor's page was loaded while it was still a wiki
    with pytest.raises(AccessDenied):
        services.answer_update(editor=member(TrustLevel.REGULAR), answer=stale, body="Late.")
    assert Answer.objects.get(pk=wiki.pk).body == "Mine again."


def test_the_links_gate_applies_to_the_wiki_author_as_editor(wiki):
    with pytest.raises(DomainError) as info:
        services.answer_update(editor=wiki.author, answer=wiki, body=LINKED)
    refused(info, "body")
    services.answer_update(editor=member(TrustLevel.REGULAR), answer=wiki, body=LINKED)
    assert html_has_link(Answer.objects.get(pk=wiki.pk).body_html)


OTHER_LINK = "Or ask [the shop](https://shop.example.com/help)."


def test_wiki_author_keeps_a_link_a_regular_added_and_edits_the_text(wiki):
    services.answer_update(editor=member(TrustLevel.REGULAR), answer=wiki, body=LINKED)
    # The level-0 author rewords the answer around the same link: nothing new is linked.
    reworded = "Read this first. " + LINKED
    services.answer_update(editor=wiki.author, answer=wiki, body=reworded)
    stored = Answer.objects.get(pk=wiki.pk)
    assert stored.body == reworded and html_has_link(stored.body_html)
    assert stored.edited_by == wiki.author
    # Taking the link out is an edit like any other.
    services.answer_update(editor=wiki.author, answer=wiki, body="No link now.")
    assert not html_has_link(Answer.objects.get(pk=wiki.pk).body_html)


def test_wiki_author_cannot_add_a_new_link_beside_one_a_regular_added(wiki):
    services.answer_update(editor=member(TrustLevel.REGULAR), answer=wiki, body=LINKED)
    with pytest.raises(DomainError) as info:
        services.answer_update(editor=wiki.author, answer=wiki, body=f"{LINKED} {OTHER_LINK}")
    refused(info, "body")
    # Pointing the existing link elsewhere is a new link too.
    moved = LINKED.replace("maker.example.com", "elsewhere.example.com")
    with pytest.raises(DomainError):
        services.answer_update(editor=wiki.author, answer=wiki, body=moved)
    assert Answer.objects.get(pk=wiki.pk).body == LINKED


def test_the_link_comparison_uses_the_stored_text_not_the_editors_copy(wiki):
    stale = Answer.objects.get(pk=wiki.pk)  # loaded before the Regular's link went in
    services.answer_update(editor=member(TrustLevel.REGULAR), answer=wiki, body=LINKED)
    services.answer_update(editor=wiki.author, answer=stale, body="Kept: " + LINKED)
    assert Answer.objects.get(pk=wiki.pk).body == "Kept: " + LINKED
    author_copy = Answer.objects.get(pk=wiki.pk)  # with the link
    services.answer_update(editor=member(TrustLevel.REGULAR), answer=wiki, body="Plain.")
    # The author's copy still has the link, but the stored text no longer does: putting
    # it back is a new link.
    with pytest.raises(DomainError) as info:
        services.answer_update(editor=wiki.author, answer=author_copy, body=LINKED)
    refused(info, "body")


def test_wiki_author_edits_around_a_kept_link_on_the_page(client, wiki):
    services.answer_update(editor=member(TrustLevel.REGULAR), answer=wiki, body=LINKED)
    client.force_login(wiki.author)
    edit = reverse("experts:answer_edit", args=[wiki.pk])
    response = client.post(edit, {"body": LINKED + " Thanks!", "is_wiki": "on"})
    assert response.status_code == 302
    response = client.post(edit, {"body": f"{LINKED} {OTHER_LINK}", "is_wiki": "on"})
    assert response.status_code == 400
    assert "opens at trust level 1" in response.context["form"].errors["body"][0]
    assert Answer.objects.get(pk=wiki.pk).body == LINKED + " Thanks!"


def test_votes_on_a_wiki_answer_still_go_to_its_author(wiki):
    editor = member(TrustLevel.REGULAR)
    services.answer_update(editor=editor, answer=wiki, body="Better.")
    services.vote_cast(voter=member(), target=wiki, value=Vote.UP)
    services.answer_accept(member=wiki.question.author, answer=wiki)
    reasons = set(
        ReputationEntry.objects.filter(member=wiki.author).values_list("reason", flat=True)
    )
    assert {Reason.ANSWER_UPVOTED, Reason.ANSWER_ACCEPTED} <= reasons
    assert not ReputationEntry.objects.filter(member=editor).exists()


# --- wiki pages --------------------------------------------------------------------------


def _detail(question) -> str:
    return reverse("experts:question_detail", args=[question.pk])


def test_answer_form_offers_the_wiki_checkbox(client):
    question = QuestionFactory()
    author = member()
    client.force_login(author)
    assert 'name="is_wiki"' in client.get(_detail(question)).content.decode()
    response = client.post(
        reverse("experts:answer_create", args=[question.pk]), {"body": "Hi.", "is_wiki": "on"}
    )
    assert response.status_code == 302
    assert Answer.objects.get(author=author).is_wiki


def test_question_page_shows_the_wiki_note_and_the_edit_link_to_regulars(client, wiki):
    edit = reverse("experts:answer_edit", args=[wiki.pk])
    client.force_login(member(TrustLevel.MEMBER))
    page = client.get(_detail(wiki.question)).content.decode()
    assert "Community wiki" in page and edit not in page
    regular = member(TrustLevel.REGULAR)
    services.answer_update(editor=regular, answer=wiki, body="Improved.")
    client.force_login(regular)
    page = client.get(_detail(wiki.question)).content.decode()
    assert edit in page
    assert "Community wiki" in page and "last edited by" in page
    assert regular.public_name in page


def test_regular_edits_a_wiki_answer_through_the_page(client, wiki):
    regular = member(TrustLevel.REGULAR)
    edit = reverse("experts:answer_edit", args=[wiki.pk])
    client.force_login(regular)
    response = client.get(edit)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Improve a community wiki answer" in body
    assert 'name="is_wiki"' not in body  # the author's choice
    response = client.post(edit, {"body": "Improved by a regular."})
    assert response.status_code == 302
    wiki.refresh_from_db()
    assert wiki.body == "Improved by a regular." and wiki.edited_by == regular and wiki.is_wiki


def test_below_regular_gets_403_on_the_wiki_edit_page(client, wiki):
    client.force_login(member(TrustLevel.MEMBER))
    edit = reverse("experts:answer_edit", args=[wiki.pk])
    for response in (client.get(edit), client.post(edit, {"body": "Hijacked"})):
        assert response.status_code == 403
        assert "Improve community wiki answers" in response.content.decode()
    assert Answer.objects.get(pk=wiki.pk).body == "Start here."


def test_author_unmarks_the_wiki_on_the_edit_page(client, wiki):
    client.force_login(wiki.author)
    edit = reverse("experts:answer_edit", args=[wiki.pk])
    assert 'name="is_wiki"' in client.get(edit).content.decode()
    assert client.post(edit, {"body": "Back to mine."}).status_code == 302
    assert not Answer.objects.get(pk=wiki.pk).is_wiki


# --- items read --------------------------------------------------------------------------


def test_question_page_counts_the_question_and_answers_shown_once(client):
    question = QuestionFactory()
    AnswerFactory(question=question)
    AnswerFactory(question=question)
    viewer = member()
    client.force_login(viewer)
    client.get(_detail(question))
    assert MemberVisit.objects.get(member=viewer).items_read == 3
    client.get(_detail(question))  # re-reading counts nothing
    AnswerFactory(question=question)
    client.get(_detail(question))
    assert MemberVisit.objects.get(member=viewer).items_read == 4


def test_anonymous_reading_counts_nothing(client):
    question = QuestionFactory()
    assert client.get(_detail(question)).status_code == 200
    assert not MemberVisit.objects.exists()


def test_question_page_does_not_count_what_the_viewer_wrote(client):
    viewer = member()
    question = QuestionFactory(author=viewer)
    AnswerFactory(question=question, author=viewer)
    others = [AnswerFactory(question=question), AnswerFactory(question=question)]
    client.force_login(viewer)
    client.get(_detail(question))
    # Only the two answers by others: not the viewer's question nor their answer.
    assert MemberVisit.objects.get(member=viewer).items_read == 2
    assert client.session["gw_read"]["keys"] == [f"answer:{a.pk}" for a in others]


def test_question_page_counts_the_question_of_someone_else_but_not_own_answer(client):
    viewer = member()
    question = QuestionFactory()
    AnswerFactory(question=question, author=viewer)
    client.force_login(viewer)
    client.get(_detail(question))
    assert MemberVisit.objects.get(member=viewer).items_read == 1
    assert client.session["gw_read"]["keys"] == [f"question:{question.pk}"]


def test_own_question_without_other_answers_counts_nothing(client):
    viewer = member()
    question = QuestionFactory(author=viewer)
    client.force_login(viewer)
    client.get(_detail(question))
    assert not MemberVisit.objects.filter(member=viewer, items_read__gt=0).exists()

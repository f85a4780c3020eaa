"""Helpers for the knowledge-base and search-document tests: an accepted expert answer
made from the models directly (the questions services are another part's), and the
stand-in for `experts:credentials` while the certification URLs do not exist yet."""

from django.http import HttpResponse
from django.urls import NoReverseMatch, include, path, reverse

from community.text import render_markdown
from tests.factories import AnswerFactory, CertificateFactory, MemberFactory, QuestionFactory


def accepted_answer(*, title=None, body=None, answer_body=None, tier="independent", **cert):
    """A question whose accepted answer was written by a certified expert (the answer
    carries the certificate snapshot, as answer_create leaves it)."""
    certificate = CertificateFactory(tier=tier, **cert)
    question_fields = {}
    if title is not None:
        question_fields["title"] = title
    if body is not None:
        question_fields.update(body=body, body_html=render_markdown(body))
    question = QuestionFactory(author=MemberFactory(), **question_fields)
    answer_fields = {}
    if answer_body is not None:
        answer_fields.update(body=answer_body, body_html=render_markdown(answer_body))
    answer = AnswerFactory(
        question=question,
        author=certificate.member,
        expert_certificate=certificate,
        expert_tier=certificate.tier,
        up_count=3,
        score=3,
        **answer_fields,
    )
    question.accepted_answer = answer
    question.answer_count = 1
    question.save()
    return answer


def _stand_in_credentials(request, member_pk):  # pragma: no cover - never requested
    return HttpResponse(f"credentials of {member_pk}")


def _urlpatterns():
    import experts.urls
    from community import urls as site_urls

    experts_patterns = [
        *experts.urls.urlpatterns,
        path("experts/<int:member_pk>/credentials/", _stand_in_credentials, name="credentials"),
    ]
    others = [p for p in site_urls.urlpatterns if getattr(p, "namespace", None) != "experts"]
    return [path("", include((experts_patterns, "experts"))), *others]


def __getattr__(name):
    if name == "urlpatterns":  # built lazily: the site's URLs import too much too early
        return _urlpatterns()
    raise AttributeError(name)


def use_credentials_stand_in(settings) -> None:
    """Bylines of experts link to experts:credentials; until the certification part
    provides it, serve the site's URLs plus a stand-in for that one name."""
    try:
        reverse("experts:credentials", args=[1])
    except NoReverseMatch:
        settings.ROOT_URLCONF = __name__

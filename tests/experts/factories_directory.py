"""Factories of part C (directory, follows, endorsements); shared ones are in
tests/factories.py."""

import factory

from community.members.models import Follow
from community.text import render_markdown
from tests.factories import CertificateFactory, MemberFactory, ReviewFactory


class FollowFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Follow

    follower = factory.SubFactory(MemberFactory)
    followed = factory.SubFactory(MemberFactory)


class EndorsementFactory(factory.django.DjangoModelFactory):
    """An endorsement written straight to the table; behaviour tests go through
    experts.services.endorsements.endorsement_create."""

    class Meta:
        model = "experts.Endorsement"

    certificate = factory.SubFactory(CertificateFactory)
    expert = factory.LazyAttribute(lambda o: o.certificate.member)
    review = factory.SubFactory(ReviewFactory)
    note = "Checked the torque values against the manual."
    note_html = factory.LazyAttribute(lambda o: render_markdown(o.note))

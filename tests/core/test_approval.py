"""Separation of duties, the one rule: the author of a record, as an account or as that account's
person, may not approve it; the system (no actor) and anyone else may."""

import pytest
from django.contrib.auth.models import AnonymousUser

from servitium.core.approval import SelfApproval, is_author, person_of, refuse_self_approval
from servitium.parties.models import Organization, Person, User

pytestmark = pytest.mark.django_db


@pytest.fixture
def people():
    org = Organization.objects.create(name="Provider", kind="provider")
    writer = User.objects.create_user("writer", password="x-long-password-1")
    other = User.objects.create_user("other", password="x-long-password-1")
    loner = User.objects.create_user("loner", password="x-long-password-1")  # an account without a person
    wp = Person.objects.create(name="Wanda Writer", organization=org, user=writer)
    op = Person.objects.create(name="Otto Other", organization=org, user=other)
    return writer, other, loner, wp, op


def test_the_author_is_recognised_by_account_and_by_person(people):
    writer, other, loner, wp, op = people
    assert person_of(writer) == wp and person_of(loner) is None and person_of(None) is None
    assert person_of(AnonymousUser()) is None
    assert is_author(writer, users=[writer.pk])
    assert is_author(writer, people=[wp.pk])  # named as the author's person, written by someone else
    assert not is_author(other, users=[writer.pk], people=[wp.pk])
    assert not is_author(loner, users=[None], people=[wp.pk])
    assert not is_author(None, users=[writer.pk])  # the system acts for someone checked elsewhere


def test_refusal_is_a_400_naming_the_reason(people):
    writer, other, *_ = people
    with pytest.raises(SelfApproval) as refused:
        refuse_self_approval(writer, users=[writer.pk], message="You wrote it.")
    assert refused.value.status == 400 and refused.value.code == "approver_is_author"
    assert refused.value.message == "You wrote it."
    refuse_self_approval(other, users=[writer.pk], message="You wrote it.")  # no error

"""The login a single sign-on creates or updates: through the audited party services, so that every role
or organization the directory hands out is in the change log like one an administrator set."""

from __future__ import annotations

import logging

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from servitium.core import services as core_services
from servitium.parties import services as party_services
from servitium.parties.models import Person, User

from .mapping import Grant, Refused

log = logging.getLogger(__name__)


def _message(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def _link_person(user: User) -> None:
    """A login with an organization speaks for a person of it (customer users raise tickets as their
    person): link the person with the same e-mail address, else create one; follow an organization move."""
    organization = user.organization
    if organization is None:
        return
    person = Person.objects.filter(user=user).first()
    if person is None and user.email:
        person = Person.objects.filter(
            organization=organization, email__iexact=user.email, user__isnull=True
        ).first()
        if person is not None:
            core_services.record_update(instance=person, data={"user": user}, actor=None)
            return
    if person is None:
        name = user.get_full_name() or user.username
        core_services.record_create(
            model=Person,
            data={"name": name, "email": user.email, "organization": organization, "user": user},
            actor=None,
        )
    elif person.organization_id != organization.pk:
        core_services.record_update(instance=person, data={"organization": organization}, actor=None)


@transaction.atomic
def sign_in(
    *, username: str, grant: Grant, email: str = "", first_name: str = "", last_name: str = "", source: str
) -> User:
    """The login for `username`, created on first sign-in and brought up to date (roles, organization,
    names) on every one; Refused (and nothing written) when the result would not be a valid login."""
    if not username:
        raise Refused(_("The sign-in did not say who you are (no user name). Ask your administrator."))
    user = User.objects.select_for_update().filter(username__iexact=username).first()
    data: dict = {"roles": grant.roles, "organization": grant.organization}
    # What the directory leaves empty is kept as it is.
    data.update(
        {
            key: value
            for key, value in {"email": email, "first_name": first_name, "last_name": last_name}.items()
            if value
        }
    )
    try:
        with transaction.atomic():
            if user is None:
                user = party_services.user_create(actor=None, data={"username": username, **data})
                log.info("%s sign-in created user %s with roles %s", source, username, grant.roles)
            else:
                user = party_services.user_update(actor=None, instance=user, data=data)
            _link_person(user)
    except ValidationError as exc:
        log.warning("%s sign-in of %s refused: %s", source, username, _message(exc))
        raise Refused(_("Your account cannot be signed in: %(reason)s") % {"reason": _message(exc)}) from None
    return user

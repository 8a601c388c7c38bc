"""Writes on parties: teams (lead must be a member) and user accounts (roles, passwords).

Organizations, locations and people need nothing beyond the generic audited services
(`core.services.record_create` / `record_update`), which apply the declarations in resources.py."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from servitium.core import changelog
from servitium.core import services as core_services
from servitium.core.models import ChangeRecord

from .models import Team, User


def _check_lead(lead, members, instance: Team | None) -> None:
    if lead is None:
        return
    member_ids = (
        {m.pk for m in members}
        if members is not None
        else set(instance.members.values_list("pk", flat=True) if instance and instance.pk else [])
    )
    if lead.pk not in member_ids:
        raise ValidationError({"lead": _("The team lead must be one of the team's members.")})


@transaction.atomic
def team_create(*, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None) -> Team:
    m2m = m2m or {}
    _check_lead(data.get("lead"), m2m.get("members", []), None)
    return core_services.record_create(model=Team, data=data, actor=actor, m2m=m2m)


@transaction.atomic
def team_update(
    *, actor: Any, instance: Team, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> Team:
    m2m = m2m or {}
    _check_lead(data.get("lead", instance.lead), m2m.get("members"), instance)
    return core_services.record_update(instance=instance, data=data, actor=actor, m2m=m2m)


def _with_password(data: dict[str, Any], password: str | None) -> dict[str, Any]:
    return data if password is None else {**data, "password": password}


def _hashed(password: str, user: User) -> str:
    """The stored form of a new password, after the configured password validators accepted it."""
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    return make_password(password)


@transaction.atomic
def user_create(*, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None) -> User:
    """Create a login with roles and organization; the password is validated and stored hashed (without
    one, the account cannot sign in with a password)."""
    data = dict(data)
    password = data.pop("password", None) or None
    # The actor's input as the declaration sees it (the password among it); the hash is the service's.
    core_services.check_input(model=User, actor=actor, data=_with_password(data, password))
    stored = _hashed(password, User(**data)) if password else make_password(None)
    return core_services.record_create(model=User, data=data, actor=actor, derived={"password": stored})


@transaction.atomic
def user_update(
    *, actor: Any, instance: User, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> User:
    """Change a login; a new password is validated and stored hashed, and the change log says that it
    changed (never what it is). One change-log entry for the whole write."""
    data = dict(data)
    password = data.pop("password", None) or None
    # As core.services.record_update: lock and re-read, so the logged "before" is what was stored.
    instance.refresh_from_db(from_queryset=User._base_manager.select_for_update())
    core_services.check_input(model=User, actor=actor, data=_with_password(data, password), instance=instance)
    before = changelog.snapshot(instance)
    for key, value in data.items():
        setattr(instance, key, value)
    instance.full_clean(exclude=["password"])
    if password:
        instance.password = _hashed(password, instance)
    instance.save()
    changes = changelog.diff(before, changelog.snapshot(instance))
    if password:
        changes["password"] = ["***", "***"]
    changelog.record(instance, action=ChangeRecord.Action.UPDATE, actor=actor, before=before, changes=changes)
    core_services.ensure_in_scope(actor, instance)
    return instance


@transaction.atomic
def user_delete(*, actor: Any, instance: User) -> None:
    """Accounts are deactivated, not deleted, so history keeps pointing at a real user; their API tokens
    are revoked, each with its change-log entry (core.services.api_token_revoke)."""
    instance.refresh_from_db(from_queryset=User._base_manager.select_for_update())
    if instance.is_active:
        before = changelog.snapshot(instance)
        instance.is_active = False
        instance.save(update_fields=["is_active"])
        changelog.record(
            instance, action=ChangeRecord.Action.UPDATE, actor=actor, before=before, message=_("deactivated")
        )
    for token in instance.api_tokens.filter(revoked__isnull=True).order_by("id"):
        core_services.api_token_revoke(token=token, actor=actor)


# What every signed-in user may change about their own login, whatever their roles.
OWN_PREFERENCES = ("language", "time_zone")


@transaction.atomic
def own_preferences_update(*, user: User, data: dict[str, Any]) -> User:
    """A user sets their own language and time zone (blank: the browser's language, the server's zone).
    Anything else in `data` is refused by name: roles and organization stay the administrators' business."""
    refused = sorted(set(data) - set(OWN_PREFERENCES))
    if refused:
        raise ValidationError(
            {name: _("You cannot change this about your own login here.") for name in refused}
        )
    instance = User._base_manager.select_for_update().get(pk=user.pk)
    before = changelog.snapshot(instance)
    for key, value in data.items():
        setattr(instance, key, (value or "").strip() if isinstance(value, str) or value is None else value)
    instance.full_clean(exclude=["password"])
    instance.save(update_fields=list(data))
    changes = changelog.diff(before, changelog.snapshot(instance))
    if changes:
        changelog.record(
            instance, action=ChangeRecord.Action.UPDATE, actor=user, before=before, changes=changes
        )
    return instance

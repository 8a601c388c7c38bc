"""Writes on parties: teams (lead must be a member) and user accounts (roles, passwords)."""

from __future__ import annotations

from typing import Any

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


def _set_password(user: User, password: str | None) -> None:
    if password is None:
        return
    try:
        validate_password(password, user)
    except ValidationError as exc:
        raise ValidationError({"password": exc.messages}) from None
    user.set_password(password)


@transaction.atomic
def user_create(*, actor: Any, data: dict[str, Any], m2m: dict[str, Any] | None = None) -> User:
    """Create a login with roles and organization; the password is validated and stored hashed."""
    data = dict(data)
    password = data.pop("password", None)
    user = User(**data)
    user.full_clean(exclude=["password"])
    if password:
        _set_password(user, password)
    else:
        user.set_unusable_password()
    user.save()
    changelog.record(user, action=ChangeRecord.Action.CREATE, actor=actor)
    return user


@transaction.atomic
def user_update(
    *, actor: Any, instance: User, data: dict[str, Any], m2m: dict[str, Any] | None = None
) -> User:
    data = dict(data)
    password = data.pop("password", None)
    before = changelog.snapshot(instance)
    for key, value in data.items():
        setattr(instance, key, value)
    instance.full_clean(exclude=["password"])
    _set_password(instance, password)
    instance.save()
    changes = changelog.diff(before, changelog.snapshot(instance))
    if password:
        changes["password"] = ["***", "***"]
    changelog.record(instance, action=ChangeRecord.Action.UPDATE, actor=actor, before=before, changes=changes)
    return instance


@transaction.atomic
def user_delete(*, actor: Any, instance: User) -> None:
    """Accounts are deactivated, not deleted, so history keeps pointing at a real user."""
    before = changelog.snapshot(instance)
    instance.is_active = False
    instance.save(update_fields=["is_active"])
    instance.api_tokens.filter(revoked__isnull=True).update(revoked=instance.last_login or None)
    changelog.record(
        instance, action=ChangeRecord.Action.UPDATE, actor=actor, before=before, message=_("deactivated")
    )

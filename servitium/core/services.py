"""Audited writes shared by every app: generic create/update/delete, comments, attachments, API tokens.

Each function takes the acting user explicitly, runs in one transaction, validates with `full_clean()`,
appends a change-log entry, and re-checks that the result is inside the actor's permission scope.
"""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import changelog, permissions, sqlwrite
from .errors import NotPermitted
from .models import ApiToken, Attachment, BaseModel, ChangeRecord, Comment
from .references import next_reference


def ensure_in_scope(user: Any, instance: models.Model, action: str = permissions.VIEW) -> None:
    """The re-check after a write: the saved record must still be one this user may see."""
    if user is None or getattr(user, "is_superuser", False):
        return
    if not permissions.can(user, action, instance):
        raise NotPermitted(_("This change would put the record outside what you may access."))


def validate(instance: BaseModel, *, skip_unique: set[str] | frozenset[str] = frozenset()) -> None:
    """`full_clean()` without the existence query for related records the caller has already loaded
    (forms and serializers fetched them through the permission path; the database's foreign keys still
    guard them), and without uniqueness queries for values unique by construction."""
    loaded = [
        f.name
        for f in instance._meta.concrete_fields
        if f.is_relation and f.name in instance._state.fields_cache
    ]
    errors: dict[str, list] = {}
    for step in (
        lambda: instance.clean_fields(exclude=loaded),
        instance.clean,
        lambda: instance.validate_unique(exclude=list(skip_unique)),
        instance.validate_constraints,
    ):
        try:
            step()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    if errors:
        raise ValidationError(errors)


def _apply(instance: models.Model, data: dict[str, Any]) -> None:
    for name, value in data.items():
        setattr(instance, name, value)


def _set_m2m(instance: models.Model, m2m: dict[str, Any] | None) -> None:
    for name, values in (m2m or {}).items():
        getattr(instance, name).set(values)


@transaction.atomic
def record_create(
    *, model: type[BaseModel], data: dict[str, Any], actor: Any, m2m: dict[str, Any] | None = None
) -> BaseModel:
    """Create a record of any model, with its reference number and a change-log entry."""
    return create_in_transaction(model=model, data=data, actor=actor, m2m=m2m)


def create_in_transaction(
    *, model: type[BaseModel], data: dict[str, Any], actor: Any, m2m: dict[str, Any] | None = None
) -> BaseModel:
    """`record_create` for callers that already hold a transaction and let any error abort all of it
    (a hot path saves the savepoint round trips)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("create_in_transaction() needs an enclosing transaction.atomic() block")
    instance = model(**data)
    prefix = getattr(model, "reference_prefix", None)
    generated = set()
    if prefix and not getattr(instance, "reference", ""):
        instance.reference = next_reference(prefix)
        generated.add("reference")  # unique by construction (sequence): no need to ask the database
    validate(instance, skip_unique=generated)
    sqlwrite.insert(instance)
    _set_m2m(instance, m2m)
    changelog.record(instance, action=ChangeRecord.Action.CREATE, actor=actor)
    ensure_in_scope(actor, instance)
    return instance


@transaction.atomic
def record_update(
    *, instance: BaseModel, data: dict[str, Any], actor: Any, m2m: dict[str, Any] | None = None
) -> BaseModel:
    """Update fields (and many-to-many sets) of any record and log what changed.

    The row is locked and re-read first: a caller holding an older copy must not write stale values of
    fields it did not mean to change, and the logged "before" must be what was stored.
    """
    if instance.pk is not None:
        instance.refresh_from_db(from_queryset=type(instance)._base_manager.select_for_update())
    before = changelog.snapshot(instance)
    _apply(instance, data)
    instance.full_clean()
    instance.save()
    _set_m2m(instance, m2m)
    changelog.record(instance, action=ChangeRecord.Action.UPDATE, actor=actor, before=before)
    ensure_in_scope(actor, instance)
    return instance


@transaction.atomic
def record_delete(*, instance: BaseModel, actor: Any) -> None:
    """Delete a record; the log keeps its last state. Protected references give a clear error."""
    before = changelog.snapshot(instance)
    pk = instance.pk
    try:
        with transaction.atomic():
            instance.delete()
    except models.ProtectedError as exc:
        names = sorted({str(obj) for obj in list(exc.protected_objects)[:5]})
        raise ValidationError(
            _("This record is still referenced by: %(names)s. Remove those references first.")
            % {"names": ", ".join(names)}
        ) from None
    instance.pk = pk
    changelog.record(instance, action=ChangeRecord.Action.DELETE, actor=actor, before=before, after=None)


def record_transition(
    *, instance: BaseModel, actor: Any, field: str, target: str, message: str = "", extra: dict | None = None
) -> BaseModel:
    """Write a state change and its log entry. Callers (lifecycle services) check the workflow first."""
    before = changelog.snapshot(instance)
    setattr(instance, field, target)
    _apply(instance, extra or {})
    instance.full_clean()
    instance.save()
    changelog.record(
        instance, action=ChangeRecord.Action.TRANSITION, actor=actor, before=before, message=message
    )
    ensure_in_scope(actor, instance)
    return instance


def _target(object_type: str, object_id: int, user: Any) -> models.Model:
    """Resolve `app_label.model` + id to a record the user can see; anything else is 'not found'."""
    from .models import servitium_models

    try:
        app_label, model_name = object_type.split(".")
        ct = ContentType.objects.get_by_natural_key(app_label, model_name)
    except (ValueError, ContentType.DoesNotExist):
        raise ValidationError({"object_type": _("Unknown object type %(t)s.") % {"t": object_type}}) from None
    model = ct.model_class()
    if model is None or model not in servitium_models() or model in (Comment, Attachment):
        raise ValidationError(
            {"object_type": _("Records of type %(t)s take no comments or files.") % {"t": object_type}}
        )
    target = (
        permissions.restrict(model._default_manager.all(), user, permissions.VIEW)
        .filter(pk=object_id)
        .first()
    )
    if target is None:
        raise ValidationError(
            {
                "object_id": _("No %(t)s with id %(id)s that you can see.")
                % {"t": object_type, "id": object_id}
            }
        )
    return target


@transaction.atomic
def comment_create(
    *, actor: Any, object_type: str, object_id: int, body: str, visibility: str = Comment.Visibility.INTERNAL
) -> Comment:
    """Add a work note or public reply. Customers may only add public replies to records they can see."""
    target = _target(object_type, object_id, actor)
    if permissions.is_customer_user(actor):
        visibility = Comment.Visibility.PUBLIC
    elif not permissions.area_allows(actor, type(target).permission_area, permissions.CHANGE) and not (
        permissions.area_allows(actor, "comments", permissions.ADD)
    ):
        raise NotPermitted(_("You may not comment on this record."))
    if not (body or "").strip():
        raise ValidationError({"body": _("A comment needs some text.")})
    comment = Comment(
        target_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        body=body,
        visibility=visibility,
        author=actor,
    )
    comment.full_clean()
    comment.save()
    changelog.record(comment, action=ChangeRecord.Action.CREATE, actor=actor)
    return comment


@transaction.atomic
def attachment_create(*, actor: Any, object_type: str, object_id: int, upload: UploadedFile) -> Attachment:
    """Store a file on a record after checking size and content type; the SHA-256 is kept as evidence."""
    target = _target(object_type, object_id, actor)
    if not permissions.is_customer_user(actor) and not permissions.area_allows(
        actor, type(target).permission_area, permissions.CHANGE
    ):
        raise NotPermitted(_("You may not attach files to this record."))
    return attachment_store(target=target, upload=upload, actor=actor)


def attachment_store(*, target: models.Model, upload: UploadedFile, actor: Any) -> Attachment:
    """Check and store a file on a record the caller has already authorised (e.g. the mail gateway)."""
    if upload.size > settings.ATTACHMENT_MAX_BYTES:
        raise ValidationError(
            {
                "file": _("The file is %(size)d bytes; the limit is %(max)d bytes.")
                % {"size": upload.size, "max": settings.ATTACHMENT_MAX_BYTES}
            }
        )
    if upload.size == 0:
        raise ValidationError({"file": _("The file is empty.")})
    content_type = (upload.content_type or "application/octet-stream").split(";")[0].strip().lower()
    if content_type not in settings.ATTACHMENT_CONTENT_TYPES:
        raise ValidationError({"file": _("Files of type %(t)s are not accepted.") % {"t": content_type}})
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    attachment = Attachment(
        target_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        name=(upload.name or "file").rsplit("/", 1)[-1][:255],
        size=upload.size,
        content_type=content_type,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    attachment.file.save(attachment.sha256, upload, save=False)
    # The file is written before the row; if the transaction fails, remove it so nothing is left behind.
    stored_name = attachment.file.name
    try:
        attachment.full_clean()
        attachment.save()
        changelog.record(attachment, action=ChangeRecord.Action.CREATE, actor=actor)
    except Exception:
        attachment.file.storage.delete(stored_name)
        raise
    return attachment


TOKEN_BYTES = 32  # 43 URL-safe characters


def token_digest(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


@transaction.atomic
def api_token_create(
    *, user: Any, actor: Any = None, name: str = "", expires: timezone.datetime | None = None
) -> tuple[ApiToken, str]:
    """Create an API key; returns the stored token and the key, which is never retrievable again."""
    key = secrets.token_urlsafe(TOKEN_BYTES)
    token = ApiToken.objects.create(
        user=user, name=name, digest=token_digest(key), prefix=key[:8], expires=expires
    )
    changelog.record(
        user,
        action=ChangeRecord.Action.UPDATE,
        actor=actor,
        changes={"api_token": [None, token.prefix]},
        message=_("API token %(prefix)s… created") % {"prefix": token.prefix},
    )
    return token, key


@transaction.atomic
def api_token_revoke(*, token: ApiToken, actor: Any = None) -> ApiToken:
    if token.revoked is None:
        token.revoked = timezone.now()
        token.save(update_fields=["revoked"])
        changelog.record(
            token.user,
            action=ChangeRecord.Action.UPDATE,
            actor=actor,
            changes={"api_token": [token.prefix, None]},
            message=_("API token %(prefix)s… revoked") % {"prefix": token.prefix},
        )
    return token

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
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from . import changelog, hooks, outbound, permissions, sqlwrite
from .declaration import CUSTOMER_AUDIENCE, STAFF_AUDIENCE, resource_for
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
    for step in (lambda: instance.clean_fields(exclude=loaded), instance.clean):
        try:
            step()
        except ValidationError as exc:
            errors = exc.update_error_dict(errors)
    # As Django's full_clean(): a field already in error is left out of the uniqueness and constraint
    # queries (its value may be one the database cannot even take, e.g. a NUL on PostgreSQL).
    failed = set(errors)
    for step in (
        lambda: instance.validate_unique(exclude=[*skip_unique, *failed]),
        lambda: instance.validate_constraints(exclude=failed),
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


def _split_m2m(model: type[models.Model], values: dict[str, Any] | None) -> tuple[dict, dict]:
    """Plain field values and many-to-many sets of a `derived` mapping."""
    names = {f.name for f in model._meta.many_to_many}
    values = values or {}
    return (
        {k: v for k, v in values.items() if k not in names},
        {k: v for k, v in values.items() if k in names},
    )


def audience(actor: Any) -> str | None:
    """Whose input rules apply: provider staff, customer users, or None for the system itself (jobs,
    imports, the mail gateway and the demo, whose code decides every field it writes)."""
    if actor is None or not getattr(actor, "is_authenticated", False):
        return None
    return CUSTOMER_AUDIENCE if permissions.is_customer_user(actor) else STAFF_AUDIENCE


def _unchanged(instance: models.Model, name: str, value: Any) -> bool:
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:  # an input that is no field of the record (a baseline's `cis`) is a write
        return False
    if field.many_to_many:
        current = set(getattr(instance, name).values_list("pk", flat=True))
        return current == {getattr(v, "pk", v) for v in value or ()}
    if field.is_relation:
        return getattr(instance, field.attname) == getattr(value, "pk", value)
    return getattr(instance, name) == value


STATUS_MESSAGE = _("The status changes only through the record's transitions (POST …/transitions/).")


def check_input(
    *, model: type[models.Model], actor: Any, data: dict[str, Any], instance: models.Model | None = None
) -> None:
    """The declared input rules, for every channel (API, UI, lane, mail, import, jobs).

    The status field changes only by transitions (the system may create a record in any state); a field
    the actor's audience may not write here is refused by name (an unchanged value is not a write); the
    audience's required fields are there on create. Raises one ValidationError naming every field at
    fault."""
    resource = resource_for(model)
    creating = instance is None
    access = resource.access(audience(actor))
    allowed = set(access.writes(creating)) if access is not None else None
    errors: dict[str, list[str]] = {}
    for name, value in data.items():
        unchanged = not creating and _unchanged(instance, name, value)
        if name == resource.status:
            # The system may create records in any state (history imported, demo data); changes of state
            # go through transitions whoever asks.
            if creating:
                refused = access is not None and value != model._meta.get_field(name).get_default()
            else:
                refused = not unchanged
            if refused:
                errors[name] = [str(STATUS_MESSAGE)]
        elif allowed is not None and name not in allowed and not unchanged:
            errors[name] = [str(_("You may not set this field."))]
    if creating and access is not None and access.required is not None:
        for name in access.required:
            if data.get(name) in (None, "", [], ()):
                errors.setdefault(name, []).append(str(_("This field is required.")))
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def record_create(
    *,
    model: type[BaseModel],
    data: dict[str, Any],
    actor: Any,
    m2m: dict[str, Any] | None = None,
    derived: dict[str, Any] | None = None,
) -> BaseModel:
    """Create a record of any model, with its reference number and a change-log entry.

    `data` and `m2m` are what the actor asked for and obey the declared input rules; `derived` holds the
    values the calling service worked out itself (a priority, the customer of a customer's own ticket)."""
    return create_in_transaction(model=model, data=data, actor=actor, m2m=m2m, derived=derived)


def create_in_transaction(
    *,
    model: type[BaseModel],
    data: dict[str, Any],
    actor: Any,
    m2m: dict[str, Any] | None = None,
    derived: dict[str, Any] | None = None,
) -> BaseModel:
    """`record_create` for callers that already hold a transaction and let any error abort all of it
    (a hot path saves the savepoint round trips)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("create_in_transaction() needs an enclosing transaction.atomic() block")
    check_input(model=model, actor=actor, data={**data, **(m2m or {})})
    plain, sets = _split_m2m(model, derived)
    m2m = {**(m2m or {}), **sets}
    instance = model(**{**data, **plain})
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
def record_bulk_create(
    *,
    model: type[BaseModel],
    instances: list[BaseModel],
    actor: Any,
    message: str = "",
    validate_rows: bool = True,
    with_changes: bool = True,
) -> list[BaseModel]:
    """Store many new records of one model together (imports, generators): reference numbers, one INSERT
    per thousand rows, and still one change-log entry per record. Callers that built the rows from
    checked data may skip per-row validation (`validate_rows=False`) for speed."""
    prefix = getattr(model, "reference_prefix", None)
    missing = [i for i in instances if prefix and not getattr(i, "reference", "")]
    if missing:
        from .references import format_reference, next_numbers

        for instance, number in zip(missing, next_numbers(prefix, len(missing)), strict=True):
            instance.reference = format_reference(prefix, number)
    if validate_rows:
        for instance in instances:
            validate(instance, skip_unique={"reference"} if prefix else frozenset())
    stored = model._default_manager.bulk_create(instances, batch_size=1000)
    changelog.record_many(stored, actor=actor, message=message, with_changes=with_changes)
    return stored


@transaction.atomic
def record_bulk_update(
    *, instances: list[BaseModel], derived: dict[str, Any], actor: Any, message: str = ""
) -> None:
    """Values a service worked out for many records at once (an assessment seeing open findings again):
    one UPDATE for all of them, and one change-log entry each with what changed."""
    if not instances:
        return
    model = type(instances[0])
    before = {i.pk: changelog.snapshot(i) for i in instances}
    now = timezone.now()
    model._default_manager.filter(pk__in=list(before)).update(**derived, updated=now)
    for instance in instances:
        _apply(instance, {**derived, "updated": now})
        changelog.record(
            instance,
            action=ChangeRecord.Action.UPDATE,
            actor=actor,
            before=before[instance.pk],
            message=message,
        )


@transaction.atomic
def record_update(
    *,
    instance: BaseModel,
    data: dict[str, Any],
    actor: Any,
    m2m: dict[str, Any] | None = None,
    derived: dict[str, Any] | None = None,
) -> BaseModel:
    """Update fields (and many-to-many sets) of any record and log what changed.

    The row is locked and re-read first: a caller holding an older copy must not write stale values of
    fields it did not mean to change, and the logged "before" must be what was stored. `data` and `m2m`
    obey the declared input rules; `derived` holds what the calling service worked out itself.
    """
    if instance.pk is not None:
        instance.refresh_from_db(from_queryset=type(instance)._base_manager.select_for_update())
    check_input(model=type(instance), actor=actor, data={**data, **(m2m or {})}, instance=instance)
    plain, sets = _split_m2m(type(instance), derived)
    m2m = {**(m2m or {}), **sets}
    before = changelog.snapshot(instance)
    _apply(instance, data)
    _apply(instance, plain)
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
    hooks.react(instance, target, actor)  # what higher apps do when a record enters this status
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
    if permissions.is_customer_user(user) and not resource_for(model).owned_by_one_customer():
        # A record several customers see (a service they all receive): one customer's words or files
        # would reach the others.
        raise ValidationError(
            {"object_type": _("Customers comment and attach files on their own organization's records.")}
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
    elif not permissions.can(actor, permissions.CHANGE, target) and not (
        permissions.area_allows(actor, "comments", permissions.ADD)
    ):
        raise NotPermitted(_("You may not comment on this record."))
    return comment_store(target=target, body=body, visibility=visibility, author=actor, actor=actor)


def comment_store(
    *, target: models.Model, body: str, visibility: str, author: Any, actor: Any, author_name: str = ""
) -> Comment:
    """Store a comment on a record the caller has already authorised (e.g. the mail gateway, where the
    writer may have no account: `author_name` names them), with its change-log entry."""
    if not (body or "").strip():
        raise ValidationError({"body": _("A comment needs some text.")})
    comment = Comment(
        target_type=ContentType.objects.get_for_model(target),
        object_id=target.pk,
        body=body,
        visibility=visibility,
        author=author,
        author_name=author_name,
    )
    validate(comment)  # the target's type and the author are loaded: no query to prove they exist
    comment.save()
    changelog.record(comment, action=ChangeRecord.Action.CREATE, actor=actor)
    outbound.announce(
        target,
        outbound.COMMENT,
        actor=actor,
        details={
            "comment": {
                "id": comment.pk,
                "body": body,
                "visibility": visibility,
                "author": author.get_username() if author is not None else author_name,
            }
        },
    )
    return comment


@transaction.atomic
def attachment_create(*, actor: Any, object_type: str, object_id: int, upload: UploadedFile) -> Attachment:
    """Store a file on a record after checking size and content type; the SHA-256 is kept as evidence."""
    target = _target(object_type, object_id, actor)
    if not permissions.is_customer_user(actor) and not permissions.can(actor, permissions.CHANGE, target):
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
        validate(attachment)
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

"""A lean input for the API's busiest creates: validating a payload without building DRF serializer fields
on every request (building them costs more than the database work of a create).

`FastInput` validates a create payload with DRF's rules and messages for the field kinds it knows,
loading related records through the one permission path. Tests compare it with the DRF serializer, so the
REST contract cannot drift. (Output goes the way of every record: core/api/lean.py.)
"""

from __future__ import annotations

from typing import Any

from django.db import models
from rest_framework import serializers

from servitium.core import permissions
from servitium.core.declaration import Resource
from servitium.core.services import audience
from servitium.core.sqlread import by_pk

from ..filters import database_range

_DATETIME = serializers.DateTimeField()
_TRUE = serializers.BooleanField.TRUE_VALUES
_FALSE = serializers.BooleanField.FALSE_VALUES


class FastInput:
    """Validate a create payload of a declared record type with DRF's semantics and messages: the fields
    some audience may write on create, the audience's required ones, and the status field handed on for
    the service to refuse (as the serializer does)."""

    def __init__(self, resource: type[Resource]) -> None:
        self.resource = resource
        model = resource.model
        writable = [
            *resource.staff.create,
            *(n for n in resource.customer.create if n not in resource.staff.create),
        ]
        self.fields = [model._meta.get_field(n) for n in writable if resource.model_field(n) is not None]

    def _required(self, user: Any) -> set[str] | None:
        access = self.resource.access(audience(user))
        return None if access is None or access.required is None else set(access.required)

    def parse(self, data: Any, user: Any) -> tuple[dict[str, Any], dict[str, list[str]]]:
        if not isinstance(data, dict):
            return {}, {
                "non_field_errors": [f"Invalid data. Expected a dictionary, but got {type(data).__name__}."]
            }
        required = self._required(user)
        values: dict[str, Any] = {}
        errors: dict[str, list[str]] = {}
        for field in self.fields:
            name = field.name
            if name not in data:
                wanted = (
                    name in required
                    if required is not None
                    else not (field.blank or field.null or field.has_default())
                )
                if wanted:
                    errors[name] = ["This field is required."]
                continue
            try:
                values[name] = self._value(field, data[name], user)
            except serializers.ValidationError as exc:
                errors[name] = [str(m) for m in exc.detail]
        for name in self.resource.read_only():
            if name in data:
                errors[name] = ["You may not set this field."]  # as the serializer refuses it
        status = self.resource.status
        if status and status in data and not errors:
            values[status] = data[status]  # for the service to refuse, as through the serializer
        return values, errors

    def _value(self, field: models.Field, raw: Any, user: Any) -> Any:
        fail = serializers.ValidationError
        if raw == "" and field.is_relation:
            raw = None  # as DRF's related fields read an empty string
        if raw is None:
            if field.null:
                return None
            raise fail(["This field may not be null."])
        if field.is_relation:
            if isinstance(raw, bool) or not isinstance(raw, int | str):
                raise fail([f"Incorrect type. Expected pk value, received {type(raw).__name__}."])
            try:
                pk = int(raw)
            except ValueError:
                raise fail([f"Incorrect type. Expected pk value, received {type(raw).__name__}."]) from None
            related = field.related_model
            bounds = database_range(related._meta.pk)
            if bounds is not None and not bounds[0] <= pk <= bounds[1]:  # no query could find it
                raise fail([f'Invalid pk "{raw}" - object does not exist.'])
            if permissions.unrestricted(user, related):
                found = by_pk(related, pk)
            else:
                found = permissions.restrict(related._default_manager.all(), user).filter(pk=pk).first()
            if found is None:
                raise fail([f'Invalid pk "{raw}" - object does not exist.'])
            return found
        if isinstance(field, models.BooleanField):
            if isinstance(raw, str | int | bool) and raw in _TRUE:
                return True
            if isinstance(raw, str | int | bool) and raw in _FALSE:
                return False
            raise fail(["Must be a valid boolean."])
        if field.choices:
            options = {str(k): k for k, _label in field.flatchoices}
            if raw == "" and field.blank and isinstance(field, models.CharField | models.TextField):
                return ""  # DRF allows a blank choice for text fields only
            if isinstance(raw, bool) or str(raw) not in options:
                raise fail([f'"{raw}" is not a valid choice.'])
            return options[str(raw)]
        if isinstance(field, models.IntegerField):
            if isinstance(raw, bool):
                raise fail(["A valid integer is required."])
            try:
                value = int(str(raw).strip())
            except ValueError:
                raise fail(["A valid integer is required."]) from None
            if isinstance(field, models.PositiveIntegerRelDbTypeMixin) and value < 0:
                raise fail(["Ensure this value is greater than or equal to 0."])
            low, high = database_range(field) or (value, value)
            if value < low:  # as the model field's range validators say it through the serializer
                raise fail([f"Ensure this value is greater than or equal to {low}."])
            if value > high:
                raise fail([f"Ensure this value is less than or equal to {high}."])
            return value
        if isinstance(field, models.CharField | models.TextField):
            if isinstance(raw, bool) or not isinstance(raw, str | int | float):
                raise fail(["Not a valid string."])
            value = str(raw).strip()
            if value == "" and not field.blank:
                raise fail(["This field may not be blank."])
            if field.max_length and len(value) > field.max_length:
                raise fail([f"Ensure this field has no more than {field.max_length} characters."])
            return value
        if isinstance(field, models.DateTimeField | models.DateField):
            raise fail(["Dates are not accepted on this path."])  # no such writable field on the lean path
        return raw

"""One error shape for the API: field errors as {field: [messages]}, rule violations as {code, detail}."""

from __future__ import annotations

import logging

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import DataError, IntegrityError
from django.http import Http404
from rest_framework import exceptions, status
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from servitium.core.errors import ApplicationError

logger = logging.getLogger("servitium.api")


def django_validation_to_drf(exc: DjangoValidationError) -> dict | list:
    if hasattr(exc, "error_dict"):
        return {("non_field_errors" if k == "__all__" else k): v for k, v in exc.message_dict.items()}
    return {"detail": " ".join(exc.messages)}


# SQLSTATEs of values the database cannot store: numeric_value_out_of_range, untranslatable_character
# (a \u0000 in JSON); psycopg refuses a NUL in text before sending it (no SQLSTATE).
REFUSED_VALUE_STATES = frozenset({"22003", "22P05"})
REFUSED_VALUE = "database_refused_value"


def refused_by_database(exc: BaseException) -> bool:
    """A value no column can hold: a number beyond its range (OverflowError on SQLite) or a NUL."""
    if isinstance(exc, OverflowError):
        return True
    if not isinstance(exc, DataError):
        return False
    cause = exc.__cause__
    return getattr(cause, "sqlstate", None) in REFUSED_VALUE_STATES or "NUL (0x00)" in str(cause or exc)


def exception_handler(exc, context):
    if refused_by_database(exc):
        # The last line of defence: the parsers, filters, fields and model validation refuse such values by
        # name before any query; reaching here means one path does not yet (logged, so it gets one).
        logger.warning("a value the database refused reached it: %r", exc)
        return Response(
            {
                "code": REFUSED_VALUE,
                "detail": "A value is beyond what the database can store (a number out of range or a NUL "
                "character).",
            },
            status=status.HTTP_400_BAD_REQUEST,
        )
    if isinstance(exc, DjangoValidationError):
        return Response(django_validation_to_drf(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, ApplicationError):
        return Response({"code": exc.code, "detail": exc.message, **exc.extra}, status=exc.status)
    if isinstance(exc, IntegrityError):
        # Constraints are validated before saving; this only happens on a race with another writer.
        return Response(
            {
                "code": "conflict",
                "detail": "The record conflicts with another one saved at the same time; retry.",
            },
            status=status.HTTP_409_CONFLICT,
        )
    if isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    return drf_exception_handler(exc, context)

"""Errors raised by services; the API and UI turn them into clear 4xx answers."""

from __future__ import annotations


class ApplicationError(Exception):
    """A business rule refused the operation. `code` is stable for integrators."""

    code = "error"
    status = 400

    def __init__(self, message: str, *, code: str | None = None, extra: dict | None = None) -> None:
        super().__init__(message)
        self.message = message
        if code:
            self.code = code
        self.extra = extra or {}


class TransitionNotAllowed(ApplicationError):
    """The record's lifecycle or a guard does not allow this transition now (HTTP 409)."""

    code = "transition_not_allowed"
    status = 409


class ConflictError(ApplicationError):
    code = "conflict"
    status = 409


class NotPermitted(ApplicationError):
    """The acting user may not do this (HTTP 403)."""

    code = "not_permitted"
    status = 403

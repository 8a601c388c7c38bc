from __future__ import annotations

from rest_framework import serializers

from servitium.core import permissions


class RestrictedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """A related record written by id: only records the requesting user may see are accepted."""

    def get_queryset(self):
        queryset = super().get_queryset()
        request = self.context.get("request") if hasattr(self, "context") else None
        if request is None:
            return queryset
        return permissions.restrict(queryset, request.user, permissions.VIEW)


class ObjectTypeField(serializers.CharField):
    """`app_label.model` of a record, e.g. `catalog.service`."""

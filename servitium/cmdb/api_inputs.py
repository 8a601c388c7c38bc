"""A record serializer that also takes write-only inputs which are not fields of the record."""

from __future__ import annotations

from typing import ClassVar

from servitium.core.api.base import RecordSerializer


class InputsSerializer(RecordSerializer):
    # The declaration's serializer plus `inputs`: write-only values that are not fields of the record (the
    # change covering a write, the CIs a baseline freezes). They pass to the service, which decides what they
    # mean; they are never part of the representation. (A comment, not a docstring: the OpenAPI description
    # of each subclass would inherit it.)

    inputs: ClassVar[tuple[str, ...]] = ()

    def get_field_names(self, declared_fields, info):
        own = {k: v for k, v in declared_fields.items() if k not in self.inputs}
        return [*super().get_field_names(own, info), *self.inputs]

"""Every record type has one coherent declaration, and nothing else states its rules."""

from __future__ import annotations

import inspect

from django.contrib.auth import get_user_model

from servitium.core.declaration import check_declarations, declared, is_declared
from servitium.core.models import BaseModel, servitium_models


def test_declarations_are_coherent():
    assert check_declarations() == []


def test_every_record_type_is_declared_once_and_only_there():
    undeclared = [m.object_type() for m in servitium_models() if not is_declared(m)]
    assert undeclared == []
    assert is_declared(get_user_model())
    for model in servitium_models():
        for rule in ("permission_area", "tenant_path", "customer_actions", "restrict_queryset"):
            assert not hasattr(model, rule), f"{model.object_type()} still states {rule} on the model"
    assert len({r.model for r in declared()}) == len(declared())


def test_base_model_states_no_permission_rules():
    source = inspect.getsource(BaseModel)
    assert "tenant_path" not in source and "permission_area" not in source

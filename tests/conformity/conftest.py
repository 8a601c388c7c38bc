"""Fixtures of the conformity tests: a conformity manager and a builder for clean engine inputs."""

from __future__ import annotations

import pytest

from servitium.core import checks as registry
from tests import factories


@pytest.fixture
def manager(ctx):
    user = factories.user("conf_manager", ctx.provider, ["conformity-manager"])
    factories.person("Conny Manager", ctx.provider, user=user, email="conny@example.com")
    return user


@pytest.fixture
def isolated_registry(monkeypatch):
    """Run assessments with only the checks a test registers (the real ones stay untouched)."""
    monkeypatch.setattr(registry, "REGISTRY", {})
    return registry.REGISTRY

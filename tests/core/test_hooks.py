"""Rules a higher app adds to a lower app's lifecycle (core.hooks): a registered guard refuses the
transition on every channel with its reason; a registered reaction runs after the status is written."""

import pytest

from servitium.catalog import services as catalog_services
from servitium.catalog.models import Service
from servitium.core import hooks
from servitium.core.errors import TransitionNotAllowed

pytestmark = pytest.mark.django_db


@pytest.fixture
def clean_hooks():
    guards, reactions = dict(hooks._GUARDS), dict(hooks._REACTIONS)
    yield
    hooks._GUARDS.clear(), hooks._GUARDS.update(guards)
    hooks._REACTIONS.clear(), hooks._REACTIONS.update(reactions)


def test_a_guard_refuses_and_a_reaction_follows(clean_hooks, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="x-long-password-1")
    service = catalog_services.service_create(actor=admin, data={"name": "Mail", "status": "pipeline"})
    seen: list[tuple[str, str]] = []

    def no_launch_on_friday(record):
        return "Not before the review." if record.name == "Mail" else None

    hooks.register_guard("catalog.service", "go_live", no_launch_on_friday)
    with pytest.raises(TransitionNotAllowed, match="Not before the review."):
        catalog_services.service_transition(actor=admin, instance=service, transition="go_live")
    assert Service.objects.get(pk=service.pk).status == "pipeline"

    hooks._GUARDS.clear()
    hooks.register_reaction(
        "catalog.service", "live", lambda record, actor: seen.append((record.name, actor.username))
    )
    catalog_services.service_transition(actor=admin, instance=service, transition="go_live")
    assert seen == [("Mail", "root")]

"""What conformity records show, who may write which field, and how their lists filter."""

from __future__ import annotations

from servitium.core.declaration import ADD, VIEW, Resource

from .models import AREA, Framework, Requirement


class FrameworkResource(Resource):
    """Requirement catalogues are reference data every provider user reads. They are synchronised from the
    bundled files or imported (OSCAL) by conformity managers, never edited by hand."""

    model = Framework
    area = AREA
    readable_by_all_staff = True
    staff_actions = {VIEW, ADD}


class RequirementResource(Resource):
    model = Requirement
    area = AREA
    readable_by_all_staff = True
    staff_actions = {VIEW}

"""Generated suites: management reviews and review actions through the API and the UI."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from servitium.reviews.models import ManagementReview, ReviewAction
from tests import factories
from tests.base import RecordAPISuite, RecordUISuite
from tests.reviews.conftest import action, review

TODAY = timezone.localdate()


class TestManagementReviewAPI(RecordAPISuite):
    endpoint = "management-reviews"
    model = ManagementReview
    writer_roles = ["sms-manager"]
    foreign_roles = ["incident-manager", "top-management"]
    customer_visible = False

    def make(self, ctx):
        return review(ctx)

    def create_payload(self, ctx):
        chair = factories.person(factories.unique("Chair"), ctx.provider)
        return {
            "title": "Half-year review",
            "period_start": str(TODAY - dt.timedelta(days=180)),
            "period_end": str(TODAY),
            "planned_date": str(TODAY + dt.timedelta(days=10)),
            "chair": chair.pk,
            "attendees": [chair.pk],
        }

    def invalid_payload(self, ctx):
        return {**self.create_payload(ctx), "period_end": str(TODAY - dt.timedelta(days=400))}

    def update_payload(self, ctx):
        return {"agenda": "Actions; performance; risks."}


class TestReviewActionAPI(RecordAPISuite):
    endpoint = "review-actions"
    model = ReviewAction
    writer_roles = ["sms-manager"]
    foreign_roles = ["incident-manager", "top-management"]
    customer_visible = False

    def make(self, ctx):
        return action(ctx)

    def create_payload(self, ctx):
        return {
            "review": review(ctx).pk,
            "description": "Renew the network contract",
            "owner": factories.person(factories.unique("Owner"), ctx.provider).pk,
            "due_date": str(TODAY + dt.timedelta(days=20)),
        }

    def invalid_payload(self, ctx):
        return {**self.create_payload(ctx), "owner": None}

    def update_payload(self, ctx):
        return {"due_date": str(TODAY + dt.timedelta(days=40))}


class TestManagementReviewUI(RecordUISuite):
    model = ManagementReview
    writer_roles = ["sms-manager"]

    def make(self, ctx):
        return review(ctx)


class TestReviewActionUI(RecordUISuite):
    model = ReviewAction
    writer_roles = ["sms-manager"]

    def make(self, ctx):
        return action(ctx)

"""Declarations of core's own records: the change log, comments, attachments and service-hours calendars."""

from __future__ import annotations

from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.db.models import Q, QuerySet

from . import permissions
from .declaration import ADD, VIEW, Access, Resource, resource_for
from .models import Attachment, ChangeRecord, Comment, ServiceHoursCalendar, servitium_models


def _on_visible_records(queryset: QuerySet, user: Any, action: str) -> QuerySet:
    """Comments and files follow the record they hang on: seen by whoever sees that record; added by
    whoever may change it (customers: by whoever sees it); customers only see public replies, and only on
    records that belong to their organization alone (on a service several customers receive, one
    customer's words would reach the others). Customers add neither comments nor files to such records
    (core.services._target); the provider's files there are theirs to read."""
    customer = permissions.is_customer_user(user)
    if customer and action not in (VIEW, ADD):
        return queryset.none()
    needed = VIEW if action == VIEW or customer else permissions.CHANGE
    clauses = Q()
    for model in servitium_models():
        if model in (Comment, Attachment):
            continue
        if customer and queryset.model is Comment and not resource_for(model).owned_by_one_customer():
            continue  # on a record several customers see (a shared service), no conversation is shared
        found = permissions.rule(user, model, needed)
        if found.nothing:
            continue
        ct = ContentType.objects.get_for_model(model)
        if found.everything:
            clauses |= Q(target_type=ct)
        else:
            clauses |= Q(target_type=ct, object_id__in=found.apply(model._default_manager.all()).values("pk"))
    if not clauses:
        return queryset.none()
    queryset = queryset.filter(clauses)
    if customer and queryset.model is Comment:
        queryset = queryset.filter(visibility=Comment.Visibility.PUBLIC)
    return queryset


class CommentResource(Resource):
    model = Comment
    area = "comments"
    customer_actions = {VIEW, ADD}

    @classmethod
    def scope(cls, queryset, user, action):
        return _on_visible_records(queryset, user, action)


class AttachmentResource(Resource):
    model = Attachment
    area = "attachments"
    customer_actions = {VIEW, ADD}

    @classmethod
    def scope(cls, queryset, user, action):
        return _on_visible_records(queryset, user, action)


class ChangeRecordResource(Resource):
    model = ChangeRecord
    area = "administration"

    @classmethod
    def scope(cls, queryset, user, action):
        """Provider users read the history of the record types they may read entirely; customers none."""
        if action != VIEW or permissions.is_customer_user(user):
            return queryset.none()
        if permissions.area_allows(user, "administration", VIEW):
            return queryset
        visible = [m.object_type() for m in servitium_models() if permissions.rule(user, m, VIEW).everything]
        return queryset.filter(object_type__in=visible)


class CalendarResource(Resource):
    model = ServiceHoursCalendar
    area = "calendars"
    fields = (
        "name",
        "description",
        "time_zone",
        "weekly_hours",
        "holiday_country",
        "holiday_subdivision",
        "holidays",
        "exceptions",
    )
    staff = Access(create=fields)
    filters = ("time_zone", "holiday_country")
    search = ("name", "description")
    orderings = ("name",)
    ordering = ("name",)
    columns = ("name", "time_zone", "holiday_country")

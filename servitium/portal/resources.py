"""Who sees the portal's records: help articles are the problem roles' to publish and their service's
customers' to read; a notification preference is its own user's alone."""

from __future__ import annotations

from django.db.models import Q

from servitium.core.declaration import ADD, CHANGE, VIEW, Access, Resource

from .models import HelpArticle, NotificationPreference


class HelpArticleResource(Resource):
    model = HelpArticle
    area = "problems"
    readable_by = ("incidents",)  # the service desk points customers to them
    customer_actions = {VIEW}
    fields = ("known_error", "title", "advice", "published")
    # Publishing and withdrawing are the portal services' (published is never typed in).
    staff = Access(create=("known_error", "title", "advice"), update=("title", "advice"))
    filters = ("published", "known_error")
    search = ("title", "advice")
    orderings = ("title",)
    columns = ("title", "known_error", "published")

    @classmethod
    def customer_scope(cls, queryset, organization_id, action):
        """Customers read published articles of active known errors on services they receive, or on no
        service in particular."""
        return queryset.filter(
            Q(known_error__service__isnull=True) | Q(known_error__service__customers=organization_id),
            published=True,
            known_error__status="active",
        ).distinct()


class NotificationPreferenceResource(Resource):
    model = NotificationPreference
    area = "administration"
    customer_actions = {VIEW, ADD, CHANGE}
    fields = ("user", "replies", "waiting", "resolved")
    staff = Access(create=("replies", "waiting", "resolved"))
    customer = Access(create=("replies", "waiting", "resolved"))
    columns = ("user", "replies", "waiting", "resolved")

    @classmethod
    def scope(cls, queryset, user, action):
        """Each user reads and keeps their own preferences; administrators see everyone's."""
        from servitium.core import permissions

        if permissions.area_allows(user, "administration", action):
            return queryset
        return queryset.filter(user=user)

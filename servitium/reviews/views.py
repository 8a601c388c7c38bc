"""UI pages of management review: reviews and actions (generic list/detail/form from resources.py), and the
review pack as a printable page or PDF."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.utils import timezone

from servitium.core import permissions
from servitium.core import views as generic

from . import pack as review_pack
from . import services
from .models import ManagementReview, ReviewAction


class ReviewList(generic.RecordListView):
    model = ManagementReview

    def base_queryset(self):
        return ManagementReview.objects.select_related("chair")


class ReviewDetail(generic.RecordDetailView):
    """The review with its pack (links, topics missing), its actions, and the follow-up of earlier ones."""

    model = ManagementReview
    transition_service = staticmethod(services.review_transition)
    transition_fields = ("held_on",)
    template_name = "reviews/review_detail.html"

    def base_queryset(self):
        return ManagementReview.objects.select_related("chair").prefetch_related("attendees")

    def context(self, obj):
        context = super().context(obj)
        user = self.request.user
        actions = permissions.restrict(obj.actions.select_related("owner"), user).order_by("due_date", "id")
        earlier = permissions.restrict(
            ReviewAction.objects.filter(
                review__planned_date__lt=obj.planned_date, status=ReviewAction.Status.OPEN
            ),
            user,
        ).select_related("owner", "review")
        context.update(
            {
                "actions": actions,
                "earlier_open": earlier.order_by("due_date")[:20],
                "frozen": review_pack.frozen_attachment(obj, user),
                "can_add_action": permissions.has_permission(user, permissions.ADD, ReviewAction)
                and obj.status != ManagementReview.Status.CANCELLED,
                "today": timezone.localdate(),
            }
        )
        return context


class ReviewForm(generic.RecordFormView):
    model = ManagementReview
    create_service = staticmethod(services.review_create)
    update_service = staticmethod(services.review_update)


class ReviewPack(generic.RecordMixin, generic.View):
    """The pack from live data as one printable page; `?format=pdf` (or …/pack.pdf) as PDF — for a held
    review, the PDF frozen when it was held."""

    model = ManagementReview

    def get(self, request: HttpRequest, pk: int, pdf: bool = False) -> HttpResponse:
        review = self.get_object(pk)
        if pdf or request.GET.get("format") == "pdf":
            try:
                content = review_pack.pdf_of(review, request.user)
            except review_pack.PdfUnavailable as exc:
                return HttpResponse(exc.message, status=exc.status, content_type="text/plain; charset=utf-8")
            response = HttpResponse(content, content_type="application/pdf")
            response["Content-Disposition"] = f'inline; filename="{review.reference}-review-pack.pdf"'
            return response
        current = review_pack.pack_for(review, request.user)
        return HttpResponse(review_pack.render_html(current, review))


class ActionList(generic.RecordListView):
    model = ReviewAction

    def base_queryset(self):
        return ReviewAction.objects.select_related("owner", "review")


class ActionDetail(generic.RecordDetailView):
    model = ReviewAction
    transition_service = staticmethod(services.action_transition)
    template_name = "reviews/reviewaction_detail.html"
    own_form_transitions = ("complete", "cancel")  # one form: the note says what was done or why dropped

    def base_queryset(self):
        return ReviewAction.objects.select_related("owner", "review")


class ActionForm(generic.RecordFormView):
    model = ReviewAction
    create_service = staticmethod(services.action_create)
    update_service = staticmethod(services.action_update)

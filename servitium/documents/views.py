"""UI of documented information under /sms/documents/: documents (with versions, review and the
acknowledgement standing per team), versions (review, approval, coming into force), acknowledgements,
the awareness overview, the records register and disposal requests."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from servitium.core import permissions
from servitium.core import views as generic
from servitium.core.approval import person_of
from servitium.core.errors import ApplicationError

from . import selectors, services
from .models import DisposalRequest, Document, DocumentAcknowledgement, DocumentVersion, RecordSeries


class TabbedList(generic.RecordListView):
    """A list page of the area with the area's tabs above it."""

    template_name = "documents/list.html"
    tab = ""

    def base_context(self):
        return {**super().base_context(), "tab": self.tab}


class RefusalShownMixin:
    """Transitions refused by a rule answer 400 on the page itself, naming the problem (not a redirect)."""

    def post(self, request, pk):
        if "transition" not in request.POST:
            return super().post(request, pk)
        obj = self.get_object(pk)
        workflow = self.lifecycle()[0]
        try:
            step = workflow.get(request.POST["transition"])
        except ApplicationError as exc:
            return self.refused(obj, exc.message)
        if not permissions.can(request.user, step.action, obj):
            raise PermissionDenied(_("You may not do this."))
        try:
            type(self).transition_service(
                actor=request.user,
                instance=obj,
                transition=step.name,
                note=request.POST.get("note", ""),
                data={},
            )
        except ValidationError as exc:
            return self.refused(obj, " ".join(exc.messages))
        except ApplicationError as exc:
            return self.refused(obj, exc.message)
        messages.success(request, _("Done: %(label)s.") % {"label": step.label})
        return redirect(obj.get_absolute_url())

    def refused(self, obj, message: str):
        context = self.context(self.get_object(obj.pk))
        context["refusal"] = message
        return render(self.request, self.template_name, context, status=400)


# --- documents ---


class DocumentList(TabbedList):
    """All documents; `?review_overdue=true` lists those past their next review."""

    model = Document
    tab = "documents"

    def base_queryset(self):
        return Document.objects.select_related("owner", "current_version")


class DocumentDetail(generic.RecordDetailView):
    """The document with its versions (the one in force marked, obsolete ones kept and marked), its
    acknowledgement standing per team, and the review and acknowledge actions."""

    model = Document
    template_name = "documents/document_detail.html"

    def context(self, obj):
        context = super().context(obj)
        user = self.request.user
        versions = permissions.restrict(
            obj.versions.select_related("author", "approved_by").order_by("-created", "-id"), user
        )
        person = person_of(user)
        acknowledged = bool(
            person
            and obj.current_version_id
            and DocumentAcknowledgement.objects.filter(
                version_id=obj.current_version_id, person=person
            ).exists()
        )
        sees_standing = permissions.area_allows(user, "sms", permissions.VIEW)
        context.update(
            {
                "versions": versions,
                "can_add_version": permissions.has_permission(user, permissions.ADD, DocumentVersion),
                "can_acknowledge": obj.requires_acknowledgement
                and obj.current_version_id
                and person is not None
                and not acknowledged
                and permissions.has_permission(user, permissions.ADD, DocumentAcknowledgement),
                "acknowledged": acknowledged,
                "standing": selectors.acknowledgement_standing(obj)
                if sees_standing and obj.requires_acknowledgement
                else None,
            }
        )
        return context

    def post(self, request, pk):
        action = request.POST.get("action")
        if action not in {"review", "acknowledge"}:
            return super().post(request, pk)
        obj = self.get_object(pk)
        try:
            if action == "review":
                if not permissions.can(request.user, permissions.CHANGE, obj):
                    raise PermissionDenied(_("You may not do this."))
                services.document_review(actor=request.user, document=obj, note=request.POST.get("note", ""))
                messages.success(request, _("Review recorded."))
            else:
                if not permissions.has_permission(request.user, permissions.ADD, DocumentAcknowledgement):
                    raise PermissionDenied(_("You may not do this."))
                services.acknowledgement_create(actor=request.user, data={"document": obj})
                messages.success(request, _("Thank you: your acknowledgement is recorded."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        except ApplicationError as exc:
            messages.error(request, exc.message)
        return redirect(obj.get_absolute_url())


class DocumentForm(generic.RecordFormView):
    model = Document
    create_service = staticmethod(services.document_create)
    update_service = staticmethod(services.document_update)


# --- versions ---


class VersionList(TabbedList):
    model = DocumentVersion
    tab = "versions"

    def base_queryset(self):
        return DocumentVersion.objects.select_related("document", "author", "approved_by")


class VersionDetail(RefusalShownMixin, generic.RecordDetailView):
    """A version: its content, its review and approval, and, once replaced, a clear obsolete mark."""

    model = DocumentVersion
    template_name = "documents/documentversion_detail.html"
    transition_service = staticmethod(services.version_transition)

    def context(self, obj):
        context = super().context(obj)
        context["can_attach"] = context["can_change"] and obj.status in DocumentVersion.EDITABLE
        return context

    def post(self, request, pk):
        if "version_file" not in request.POST:
            return super().post(request, pk)
        obj = self.get_object(pk)
        if not permissions.can(request.user, permissions.CHANGE, obj):
            raise PermissionDenied(_("You may not do this."))
        upload = request.FILES.get("file")
        try:
            if upload is None:
                raise ValidationError(_("Choose a file."))
            services.version_attach_file(actor=request.user, version=obj, upload=upload)
        except ValidationError as exc:
            return self.refused(obj, " ".join(exc.messages))
        except ApplicationError as exc:
            return self.refused(obj, exc.message)
        messages.success(request, _("File stored."))
        return redirect(obj.get_absolute_url())


class VersionForm(generic.RecordFormView):
    model = DocumentVersion
    create_service = staticmethod(services.version_create)
    update_service = staticmethod(services.version_update)


# --- acknowledgements and awareness ---


class AcknowledgementList(TabbedList):
    model = DocumentAcknowledgement
    tab = "acknowledgements"

    def base_queryset(self):
        return DocumentAcknowledgement.objects.select_related("document", "version", "person")


class AcknowledgementDetail(generic.RecordDetailView):
    model = DocumentAcknowledgement


class AcknowledgementForm(generic.RecordFormView):
    model = DocumentAcknowledgement
    create_service = staticmethod(services.acknowledgement_create)


class Awareness(generic.LoginRequiredMixin, generic.View):
    """Per document that asks for acknowledgement, per team: who has not acknowledged the version in force."""

    def get(self, request):
        if not permissions.area_allows(request.user, "sms", permissions.VIEW):
            raise PermissionDenied(_("You may not see this page."))
        standings = [
            selectors.acknowledgement_standing(d)
            for d in selectors.documents_to_acknowledge().select_related("current_version")
        ]
        return render(request, "documents/awareness.html", {"standings": standings, "tab": "awareness"})


# --- records register ---


class SeriesList(TabbedList):
    model = RecordSeries
    tab = "records"

    def base_queryset(self):
        return RecordSeries.objects.select_related("owner")


class SeriesDetail(generic.RecordDetailView):
    model = RecordSeries
    template_name = "documents/recordseries_detail.html"

    def context(self, obj):
        context = super().context(obj)
        context["requests"] = permissions.restrict(
            obj.disposal_requests.order_by("-created"), self.request.user
        )
        context["can_request"] = permissions.has_permission(
            self.request.user, permissions.ADD, DisposalRequest
        )
        return context


class SeriesForm(generic.RecordFormView):
    model = RecordSeries


class DisposalList(TabbedList):
    model = DisposalRequest
    tab = "disposals"

    def base_queryset(self):
        return DisposalRequest.objects.select_related("series", "requested_by")


class DisposalDetail(RefusalShownMixin, generic.RecordDetailView):
    model = DisposalRequest
    template_name = "documents/refusable_detail.html"
    transition_service = staticmethod(services.disposal_transition)


class DisposalForm(generic.RecordFormView):
    model = DisposalRequest
    create_service = staticmethod(services.disposal_request_create)
    update_service = staticmethod(services.disposal_request_update)

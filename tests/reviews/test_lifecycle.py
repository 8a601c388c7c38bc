"""Guards and transitions of management reviews and review actions, through the API as integrators use it."""

from __future__ import annotations

import datetime as dt
import hashlib

from django.contrib.contenttypes.models import ContentType
from django.utils import timezone

from servitium.core.models import Attachment, ChangeRecord
from servitium.reviews.lifecycle import ACTION_WORKFLOW, REVIEW_WORKFLOW
from servitium.reviews.models import ManagementReview, ReviewAction
from tests import factories
from tests.base import client
from tests.reviews.conftest import action, held, review

TODAY = timezone.localdate()


def transition(user, obj, name, **extra):
    path = "management-reviews" if isinstance(obj, ManagementReview) else "review-actions"
    return client(user).post(
        f"/api/v1/{path}/{obj.pk}/transitions/", {"transition": name, **extra}, format="json"
    )


def test_every_status_has_an_entry_in_the_tables():
    for workflow, statuses in (
        (REVIEW_WORKFLOW, ManagementReview.Status),
        (ACTION_WORKFLOW, ReviewAction.Status),
    ):
        assert set(workflow.states) == set(statuses.values)
        reachable = {t.target for t in workflow.transitions} | {statuses.values[0]}
        assert reachable == set(statuses.values)


def test_a_review_cannot_be_held_without_a_pack(ctx, people):
    r = review(ctx, people.chair)
    before = ChangeRecord.objects.count()
    response = transition(people.manager, r, "hold")
    assert response.status_code == 409, response.content
    assert "pack" in response.json()["detail"].lower()
    r.refresh_from_db()
    assert r.status == "planned" and r.held_on is None and ChangeRecord.objects.count() == before
    offered = client(people.manager).get(f"/api/v1/management-reviews/{r.pk}/transitions/").json()
    assert [t["name"] for t in offered] == ["prepare_pack", "cancel"]


def test_holding_freezes_the_pack_as_pdf_with_its_digest(ctx, people):
    r = review(ctx, people.chair)
    assert transition(people.manager, r, "prepare_pack").status_code == 200
    r.refresh_from_db()
    assert r.status == "pack_prepared" and r.pack_prepared_at and set(r.pack_topics) >= {"previous_actions"}
    response = transition(people.manager, r, "hold", held_on=str(TODAY - dt.timedelta(days=1)))
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["status"] == "held" and body["held_on"] == str(TODAY - dt.timedelta(days=1))
    stored = Attachment.objects.get(target_type=ContentType.objects.get_for_model(r), object_id=r.pk)
    content = stored.file.open("rb").read()
    assert (
        content.startswith(b"%PDF")
        and hashlib.sha256(content).hexdigest() == body["pack_sha256"] == stored.sha256
    )
    # The frozen PDF is what the review's PDF endpoint gives from now on, byte for byte.
    pdf = client(ctx.auditor).get(f"/api/v1/management-reviews/{r.pk}/pack.pdf/")
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert hashlib.sha256(pdf.content).hexdigest() == body["pack_sha256"]
    pack = client(ctx.auditor).get(f"/api/v1/management-reviews/{r.pk}/pack/").json()
    assert pack["frozen"]["sha256"] == body["pack_sha256"] and pack["frozen"]["attachment"] == stored.pk


def test_held_on_must_be_a_real_past_date(ctx, people):
    r = review(ctx, people.chair)
    transition(people.manager, r, "prepare_pack")
    assert transition(people.manager, r, "hold", held_on="yesterday").json() == {
        "held_on": ["Give the date as YYYY-MM-DD."]
    }
    future = transition(people.manager, r, "hold", held_on=str(TODAY + dt.timedelta(days=3)))
    assert future.status_code == 400 and "held_on" in future.json()
    r.refresh_from_db()
    assert r.status == "pack_prepared" and not Attachment.objects.filter(object_id=r.pk).exists()


def test_minutes_are_approved_by_the_chair_only(ctx, people):
    r = held(ctx, people.chair, approve=False)
    # Nothing to approve yet: minutes and decisions are missing.
    response = transition(people.chair_user, r, "approve_minutes")
    assert response.status_code == 409 and "minutes" in response.json()["detail"]
    client(people.manager).patch(
        f"/api/v1/management-reviews/{r.pk}/", {"minutes": "Discussed.", "decisions": "Hire."}, format="json"
    )
    # The SMS manager may change the review but is not its chair.
    refused = transition(people.manager, r, "approve_minutes")
    assert refused.status_code == 409 and "chair" in refused.json()["detail"]
    # An auditor may not approve anything; other top managers are not the chair either.
    assert transition(ctx.auditor, r, "approve_minutes").status_code == 403
    other = factories.user("cfo", ctx.provider, ["top-management"])
    assert transition(other, r, "approve_minutes").status_code == 409
    # The chair — top management, who otherwise only reads — approves.
    offered = client(people.chair_user).get(f"/api/v1/management-reviews/{r.pk}/transitions/").json()
    assert [t["name"] for t in offered] == ["approve_minutes"]
    approved = transition(people.chair_user, r, "approve_minutes")
    assert approved.status_code == 200 and approved.json()["status"] == "minutes_approved"
    assert approved.json()["minutes_approved_at"]
    # ... and still writes nothing else.
    assert (
        client(people.chair_user)
        .patch(f"/api/v1/management-reviews/{r.pk}/", {"agenda": "x"}, format="json")
        .status_code
        == 403
    )
    assert transition(people.chair_user, r, "close").status_code == 403
    assert transition(people.manager, r, "close").json()["status"] == "closed"


def test_approved_minutes_and_held_periods_do_not_change(ctx, people):
    r = held(ctx, people.chair)
    before = ChangeRecord.objects.count()
    response = client(people.manager).patch(
        f"/api/v1/management-reviews/{r.pk}/",
        {"decisions": "Something else", "period_start": "2020-01-01"},
        format="json",
    )
    assert response.status_code == 400 and set(response.json()) == {"decisions", "period_start"}
    assert ChangeRecord.objects.count() == before
    assert (
        client(people.manager)
        .patch(f"/api/v1/management-reviews/{r.pk}/", {"agenda": "Kept"}, format="json")
        .status_code
        == 200
    )


def test_actions_need_an_owner_and_a_due_date(ctx, people):
    r = review(ctx, people.chair)
    before = ReviewAction.objects.count()
    response = client(people.manager).post(
        "/api/v1/review-actions/", {"review": r.pk, "description": "Hire"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"owner", "due_date"}
    response = client(people.manager).post(
        "/api/v1/review-actions/",
        {"review": r.pk, "description": "Hire", "owner": None, "due_date": None},
        format="json",
    )
    assert response.status_code == 400 and set(response.json()) == {"owner", "due_date"}
    customer_person = factories.person("Cus Tomer", ctx.org_a)
    response = client(people.manager).post(
        "/api/v1/review-actions/",
        {"review": r.pk, "description": "Hire", "owner": customer_person.pk, "due_date": str(TODAY)},
        format="json",
    )
    assert response.status_code == 400 and "owner" in response.json()
    assert ReviewAction.objects.count() == before


def test_a_cancelled_review_gives_no_actions(ctx, people):
    r = review(ctx, people.chair)
    assert transition(people.manager, r, "cancel").json()["status"] == "cancelled"
    response = client(people.manager).post(
        "/api/v1/review-actions/",
        {"review": r.pk, "description": "Hire", "owner": people.owner.pk, "due_date": str(TODAY)},
        format="json",
    )
    assert response.status_code == 400 and "review" in response.json()


def test_actions_are_completed_with_a_note_and_can_be_reopened(ctx, people):
    a = action(ctx, owner=people.owner)
    missing = transition(people.manager, a, "complete")
    assert missing.status_code == 400 and "completion_note" in missing.json()
    done = transition(people.manager, a, "complete", completion_note="Hired Kim.")
    assert done.status_code == 200
    assert done.json()["status"] == "done" and done.json()["completed_on"] == str(TODAY)
    assert done.json()["completion_note"] == "Hired Kim."
    assert transition(people.manager, a, "complete", completion_note="again").status_code == 409
    reopened = transition(people.manager, a, "reopen").json()
    assert reopened["status"] == "open" and reopened["completed_on"] is None
    cancelled = transition(people.manager, a, "cancel", completion_note="Superseded by the new budget.")
    assert cancelled.json()["status"] == "cancelled"
    entries = ChangeRecord.objects.filter(
        object_type="reviews.reviewaction", object_id=a.pk, action="transition"
    )
    assert entries.count() == 3


def test_overdue_actions_are_flagged_and_filtered(ctx, people):
    late = action(ctx, owner=people.owner, due_in=-3)
    on_time = action(ctx, owner=people.owner, due_in=3)
    api = client(people.manager)
    assert api.get(f"/api/v1/review-actions/{late.pk}/").json()["overdue"] is True
    assert api.get(f"/api/v1/review-actions/{on_time.pk}/").json()["overdue"] is False
    ids = [row["id"] for row in api.get("/api/v1/review-actions/", {"overdue": "true"}).json()["results"]]
    assert ids == [late.pk]


def test_without_pdf_rendering_nothing_is_held(ctx, people, monkeypatch):
    from servitium.reviews import pack

    def unavailable(*args, **kwargs):
        raise pack.PdfUnavailable("no Pango")

    monkeypatch.setattr(pack, "render_pdf", unavailable)
    r = review(ctx, people.chair)
    transition(people.manager, r, "prepare_pack")
    before = ChangeRecord.objects.count()
    response = transition(people.manager, r, "hold")
    assert response.status_code == 503 and response.json()["code"] == "pdf_unavailable"
    r.refresh_from_db()
    assert r.status == "pack_prepared" and not r.pack_sha256 and ChangeRecord.objects.count() == before
    assert client(people.manager).get(f"/api/v1/management-reviews/{r.pk}/pack.pdf").status_code == 503

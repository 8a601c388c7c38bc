"""Comments (internal vs public) and attachments follow the permissions of the record they hang on."""

from __future__ import annotations

import hashlib

from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings

from servitium.core.models import Attachment, ChangeRecord, Comment
from tests import factories
from tests.base import client


def ticket(org, title="Printer"):
    from servitium.incidents import services as incident_services

    return incident_services.incident_create(actor=None, data={"customer": org, "title": title})


def test_customer_sees_public_replies_only(ctx):
    own = ticket(ctx.org_a)
    admin = client(ctx.admin)
    for visibility in ("internal", "public"):
        response = admin.post(
            "/api/v1/comments/",
            {
                "object_type": "incidents.incident",
                "object_id": own.pk,
                "body": f"{visibility} note",
                "visibility": visibility,
            },
            format="json",
        )
        assert response.status_code == 201
    rows = (
        client(ctx.customer_a)
        .get("/api/v1/comments/", {"object_type": "incidents.incident", "object_id": own.pk})
        .json()
    )
    assert [r["body"] for r in rows["results"]] == ["public note"]
    assert client(ctx.customer_b).get("/api/v1/comments/").json()["count"] == 0


def test_customer_comment_is_public_and_only_on_own_records(ctx):
    own, other = ticket(ctx.org_a), ticket(ctx.org_b)
    api = client(ctx.customer_a)
    ok = api.post(
        "/api/v1/comments/",
        {"object_type": "incidents.incident", "object_id": own.pk, "body": "hi", "visibility": "internal"},
        format="json",
    )
    assert ok.status_code == 201 and ok.json()["visibility"] == "public"
    before = Comment.objects.count()
    denied = api.post(
        "/api/v1/comments/",
        {"object_type": "incidents.incident", "object_id": other.pk, "body": "x"},
        format="json",
    )
    assert denied.status_code == 400 and "object_id" in denied.json()
    assert Comment.objects.count() == before


def test_records_several_customers_see_take_no_customer_words(ctx):
    """A public reply on a service two customers receive must not carry one customer's words (and name)
    to the other: customers neither read nor write comments and files there."""
    shared = factories.service("Shared", customers=[ctx.org_a, ctx.org_b])
    target = {"object_type": "catalog.service", "object_id": shared.pk}
    staff = client(ctx.admin).post(
        "/api/v1/comments/",
        {**target, "body": "maintenance on Sunday", "visibility": "public"},
        format="json",
    )
    assert staff.status_code == 201
    before = Comment.objects.count()
    refused = client(ctx.customer_a).post(
        "/api/v1/comments/", {**target, "body": "ours is slow"}, format="json"
    )
    assert refused.status_code == 400 and "object_type" in refused.json()
    assert Comment.objects.count() == before
    assert client(ctx.customer_b).get("/api/v1/comments/", target).json()["count"] == 0


def test_unknown_object_type_is_a_field_error(ctx):
    response = client(ctx.admin).post(
        "/api/v1/comments/", {"object_type": "nope.thing", "object_id": 1, "body": "x"}, format="json"
    )
    assert response.status_code == 400 and "object_type" in response.json()


def test_upload_and_download(ctx):
    svc = factories.service("Files", customers=[ctx.org_a])
    content = b"runbook v1\n"
    upload = SimpleUploadedFile("runbook.txt", content, content_type="text/plain")
    response = client(ctx.admin).post(
        "/api/v1/attachments/",
        {"file": upload, "object_type": "catalog.service", "object_id": svc.pk},
        format="multipart",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["sha256"] == hashlib.sha256(content).hexdigest()
    assert body["size"] == len(content) and body["name"] == "runbook.txt"
    assert (
        ChangeRecord.objects.filter(
            object_type="core.attachment", object_id=body["id"], action="create"
        ).count()
        == 1
    )
    download = client(ctx.customer_a).get(f"/api/v1/attachments/{body['id']}/download/")
    assert download.status_code == 200
    assert b"".join(download.streaming_content) == content
    assert client(ctx.customer_b).get(f"/api/v1/attachments/{body['id']}/download/").status_code == 404
    assert client(ctx.customer_b).get(f"/api/v1/attachments/{body['id']}/").status_code == 404


@override_settings(ATTACHMENT_MAX_BYTES=10)
def test_too_large_file_is_rejected_and_nothing_kept(ctx):
    svc = factories.service("Big")
    upload = SimpleUploadedFile("big.txt", b"x" * 11, content_type="text/plain")
    response = client(ctx.admin).post(
        "/api/v1/attachments/",
        {"file": upload, "object_type": "catalog.service", "object_id": svc.pk},
        format="multipart",
    )
    assert response.status_code == 400 and "limit" in response.json()["file"][0]
    assert Attachment.objects.count() == 0


def test_disallowed_content_type_is_rejected(ctx):
    svc = factories.service("Exe")
    upload = SimpleUploadedFile("x.exe", b"MZ....", content_type="application/x-msdownload")
    response = client(ctx.admin).post(
        "/api/v1/attachments/",
        {"file": upload, "object_type": "catalog.service", "object_id": svc.pk},
        format="multipart",
    )
    assert response.status_code == 400 and "not accepted" in response.json()["file"][0]
    assert Attachment.objects.count() == 0

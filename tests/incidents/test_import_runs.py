"""Imports started in the browser run on the task queue (immediate in tests): the page checks the file's
header and queues a run record; the task imports with progress written to the record, keeps the report on
it and removes the stored file; the run's page, its JSON status and its report downloads are the starter's
(and administrators') only."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.files.storage import FileSystemStorage, default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone

from servitium.core.models import ChangeRecord
from servitium.incidents.imports import mapping as mapping_files
from servitium.incidents.imports import runs
from servitium.incidents.imports.run import run_import
from servitium.incidents.jobs import forget_import_uploads
from servitium.incidents.models import Incident, IncidentImportRun
from tests import factories

S = IncidentImportRun.Status
HEADER = (
    "number;incident_state;sys_updated_at;assignment_group;priority;impact;urgency;category;contact_type\n"
)
TICKETS = 250  # more than one batch of 200: the writing stage reports progress on its way


def event_log(tickets: int = 3) -> bytes:
    """A ServiceNow-style event log: each ticket opened, then resolved by another group."""
    out = io.StringIO()
    out.write(HEADER)
    for n in range(1, tickets + 1):
        number = f"INC{n:07d}"
        out.write(f"{number};New;1/3/2016 07:00;Desk;3 - Moderate;2 - Medium;2 - Medium;Mail;Phone\n")
        out.write(
            f"{number};Resolved;2/3/2016 09:30;Mail team;3 - Moderate;2 - Medium;2 - Medium;Mail;Phone\n"
        )
    return out.getvalue().encode("utf-8")


@pytest.fixture(autouse=True)
def own_storage(settings, tmp_path):
    """Uploads in this test's own folder: tests running beside it store theirs elsewhere, so "nothing was
    stored" is about this test alone."""
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def manager(ctx):
    return factories.user("run_mgr", ctx.provider, ["incident-manager"])


def browser(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def start(client: Client, ctx, content: bytes = b"", **fields):
    data = {
        "mapping": "servicenow-events",
        "customer": ctx.org_a.name,
        "create_missing": "on",
        "action": "run",
        "files": SimpleUploadedFile(
            "incident_event_log.csv", content or event_log(3), content_type="text/csv"
        ),
        **fields,
    }
    return client.post("/incidents/import/", data)


def test_a_run_is_queued_then_imported_by_the_task_with_its_report(
    ctx, manager, django_capture_on_commit_callbacks
):
    client = browser(manager)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        page = start(client, ctx, event_log(TICKETS))
    run = IncidentImportRun.objects.get()
    assert page.status_code == 302 and page["Location"] == f"/incidents/import/runs/{run.pk}/"
    # Stored and recorded, nothing imported yet: the task is sent once the record is committed.
    assert (run.status, run.started_by, run.file_name) == (S.QUEUED, manager, "incident_event_log.csv")
    assert run.mapping_name == "servicenow-events" and "incident_state" in run.mapping_text
    assert run.options == {
        "customer": ctx.org_a.name,
        "create_missing": True,
        "reference_prefix": "",
        "sheet": "",
    }
    assert [u["name"] for u in run.uploads] == ["incident_event_log.csv"]
    assert default_storage.exists(run.uploads[0]["stored"]) and run.size == len(event_log(TICKETS))
    assert Incident.objects.count() == 0 and len(queued) == 1
    waiting = client.get(f"/incidents/import/runs/{run.pk}/")
    text = waiting.content.decode()
    assert 'id="import-run-progress"' in text and "import-run.js" in text
    assert '<noscript><meta http-equiv="refresh"' in text  # the page follows the run without JavaScript
    assert client.get(f"/incidents/import/runs/{run.pk}/report/").status_code == 404  # no report yet

    stored = run.uploads[0]["stored"]
    queued[0]()  # the task, in immediate mode
    run.refresh_from_db()
    assert (run.status, run.fraction, run.stage) == (S.DONE, 1.0, "done")
    assert run.started_at <= run.finished_at
    assert Incident.objects.filter(source="servicenow").count() == TICKETS
    assert run.report["created"] == TICKETS and run.report["tickets"] == TICKETS
    assert run.report_text.startswith(f"servicenow-events: {TICKETS} tickets")
    # The file goes, the record stays; the import was logged under the person who started it.
    assert run.uploads == [] and not default_storage.exists(stored)
    assert ChangeRecord.objects.filter(object_type="incidents.incident", actor=manager).count() == TICKETS

    done = client.get(f"/incidents/import/runs/{run.pk}/").content.decode()
    assert 'id="import-result"' in done and "import-run.js" not in done and "http-equiv" not in done
    assert f"{TICKETS} tickets: {TICKETS} created" in done
    text_report = client.get(f"/incidents/import/runs/{run.pk}/report/")
    assert text_report.status_code == 200 and text_report["Content-Disposition"].startswith("attachment")
    assert f"{TICKETS} created".encode() in text_report.content
    json_report = client.get(f"/incidents/import/runs/{run.pk}/report/?format=json")
    assert json_report["Content-Type"] == "application/json" and json_report.json()["created"] == TICKETS
    # The import page lists the run; the old address gives the latest report.
    listing = client.get("/incidents/import/").content.decode()
    assert f'href="/incidents/import/runs/{run.pk}/"' in listing
    assert client.get("/incidents/import/report/?format=json").json()["created"] == TICKETS


def test_the_status_endpoint_shows_status_fraction_and_stage(
    ctx, manager, django_capture_on_commit_callbacks
):
    client = browser(manager)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        start(client, ctx)
    run = IncidentImportRun.objects.get()
    status = client.get(f"/incidents/import/runs/{run.pk}/status/")
    assert status.status_code == 200 and status["Content-Type"] == "application/json"
    assert status.json() | {"url": ""} == {
        "id": run.pk,
        "status": "queued",
        "status_label": "queued",
        "finished": False,
        "fraction": 0.0,
        "percent": 0,
        "stage": "queued",
        "stage_label": "waiting for the task queue",
        "url": "",
    }
    IncidentImportRun.objects.filter(pk=run.pk).update(status=S.RUNNING)
    runs.ProgressRecorder(run.pk)(0.375, "writing")
    midway = client.get(f"/incidents/import/runs/{run.pk}/status/").json()
    assert (midway["status"], midway["fraction"], midway["percent"], midway["stage"]) == (
        "running",
        0.375,
        38,
        "writing",
    )
    assert midway["stage_label"] == "writing the tickets" and not midway["finished"]
    page = client.get(f"/incidents/import/runs/{run.pk}/").content.decode()
    assert 'width="38"' in page and 'aria-valuenow="38"' in page
    IncidentImportRun.objects.filter(pk=run.pk).update(status=S.QUEUED)
    queued[0]()
    final = client.get(f"/incidents/import/runs/{run.pk}/status/").json()
    assert Incident.objects.count() == 3
    assert (final["status"], final["percent"], final["stage"], final["finished"]) == (
        "done",
        100,
        "done",
        True,
    )


def test_the_importers_progress_reaches_the_record_at_most_every_second_or_two_percent(ctx, tmp_path):
    """The recorder writes when the stage changes or the import moves on by 2 %, or after a second when
    it has moved at all; everything the importer reports in one import ends on the record."""
    run = IncidentImportRun.objects.create(file_name="x.csv", mapping_name="m", status=S.RUNNING)
    now = [0.0]
    recorder = runs.ProgressRecorder(run.pk, clock=lambda: now[0])

    def seen():
        run.refresh_from_db()
        return run.fraction, run.stage

    recorder(0.1, "reading")
    assert seen() == (0.1, "reading") and recorder.writes == 1
    recorder(0.11, "reading")  # 1 % and no time passed: not worth a write
    assert seen() == (0.1, "reading") and recorder.writes == 1
    now[0] = 1.5
    recorder(0.115, "reading")  # a second later it has moved: written
    assert seen() == (0.115, "reading")
    now[0] = 1.6
    recorder(0.14, "reading")  # 2.5 % on: written at once
    recorder(0.14, "writing")  # another stage: written at once
    assert seen() == (0.14, "writing") and recorder.writes == 4
    now[0] = 9.0
    recorder(0.14, "writing")  # time alone is no news
    assert recorder.writes == 4

    # A real import through the recorder: calls from both stages, its last call on the record.
    calls = []
    spec = mapping_files.load("servicenow-events")

    def progress(fraction, stage):
        calls.append((fraction, stage))
        recorder(fraction, stage)

    log = tmp_path / "log.csv"
    log.write_bytes(event_log(TICKETS))
    run_import(spec, log, customer=ctx.org_a.name, create_missing=True, progress=progress)
    assert {stage for _, stage in calls} >= {"writing", "done"}
    assert [f for f, _ in calls] == sorted(f for f, _ in calls)
    assert seen() == (1.0, "done")


def stored_files(folder: str = "imports") -> list[str]:
    if not default_storage.exists(folder):
        return []
    folders, files = default_storage.listdir(folder)
    return [f"{folder}/{f}" for f in files] + [x for sub in folders for x in stored_files(f"{folder}/{sub}")]


def test_a_bad_file_or_mapping_is_a_400_before_anything_is_queued(ctx, manager):
    client = browser(manager)
    before = stored_files()
    wrong = start(client, ctx, b"id,when,what\n1,2020-01-01,x\n")
    text = wrong.content.decode()
    assert wrong.status_code == 400 and "the header lacks the column(s) number" in text
    semicolons = start(client, ctx, b"number,incident_state\nINC1,New\n")
    assert semicolons.status_code == 400 and "sys_updated_at" in semicolons.content.decode()
    broken = start(client, ctx, mapping_text="columns: {time: t}")
    assert broken.status_code == 400 and "ticket" in broken.content.decode()
    prefix = start(client, ctx, reference_prefix="in-1")
    assert prefix.status_code == 400 and "capital letters" in prefix.content.decode()
    empty = start(client, ctx, b" ")
    assert empty.status_code == 400 and "empty" in empty.content.decode()
    assert not IncidentImportRun.objects.exists() and Incident.objects.count() == 0
    assert stored_files() == before


def test_only_the_starter_and_administrators_see_a_run(ctx, manager, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        start(browser(manager), ctx)
    run = IncidentImportRun.objects.get()
    other = browser(factories.user("run_mgr2", ctx.provider, ["incident-manager"]))
    for path in ("", "status/", "report/", "report/?format=json"):
        assert other.get(f"/incidents/import/runs/{run.pk}/{path}").status_code == 404, path
    assert f"/incidents/import/runs/{run.pk}/" not in other.get("/incidents/import/").content.decode()
    assert other.get("/incidents/import/report/").status_code == 404
    agent = browser(factories.user("run_agent", ctx.provider, ["incident-agent"]))
    assert agent.get(f"/incidents/import/runs/{run.pk}/status/").status_code == 403
    admin = browser(ctx.admin)
    assert admin.get(f"/incidents/import/runs/{run.pk}/report/").status_code == 200
    assert f"/incidents/import/runs/{run.pk}/" in admin.get("/incidents/import/").content.decode()


def test_a_failing_run_records_why_and_its_file_goes(ctx, manager, django_capture_on_commit_callbacks):
    client = browser(manager)
    with django_capture_on_commit_callbacks(execute=False) as queued:
        start(client, ctx)
    run = IncidentImportRun.objects.get()
    stored = run.uploads[0]["stored"]
    # The mapping was changed in the record's text after the start: the task cannot use it.
    IncidentImportRun.objects.filter(pk=run.pk).update(mapping_text="columns: {time: t}")
    queued[0]()
    run.refresh_from_db()
    assert run.status == S.FAILED and "ticket" in run.failure_reason and run.report is None
    assert run.uploads == [] and not default_storage.exists(stored)
    page = client.get(f"/incidents/import/runs/{run.pk}/").content.decode()
    assert 'id="import-run-failed"' in page and "changes nothing" in page
    assert client.get(f"/incidents/import/runs/{run.pk}/report/").status_code == 404
    queued[0]()  # sent twice: the ended run is left alone
    assert IncidentImportRun.objects.get(pk=run.pk).status == S.FAILED


def test_the_daily_job_ends_lost_runs_and_removes_their_files(
    ctx, manager, django_capture_on_commit_callbacks
):
    two = [SimpleUploadedFile(f"log-{n}.csv", event_log(3), content_type="text/csv") for n in (1, 2)]
    with django_capture_on_commit_callbacks(execute=False):
        start(browser(manager), ctx, files=two)  # queued, never picked up
    run = IncidentImportRun.objects.get()
    stored = [u["stored"] for u in run.uploads]
    assert run.file_name == "log-1.csv, log-2.csv" and all(default_storage.exists(s) for s in stored)
    assert forget_import_uploads.call_local(now=timezone.now()) == 0  # not yet a day
    assert forget_import_uploads.call_local(now=timezone.now() + dt.timedelta(days=2)) == 1
    run.refresh_from_db()
    assert run.status == S.FAILED and "did not finish" in run.failure_reason
    assert run.uploads == [] and not any(default_storage.exists(s) for s in stored)


def test_a_worker_reads_the_file_from_a_storage_without_local_paths(
    ctx, manager, django_capture_on_commit_callbacks, settings
):
    """Nodes sharing an S3 bucket: the task fetches a copy of the upload, imports it and removes it."""
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.InMemoryStorage"},
    }
    with django_capture_on_commit_callbacks(execute=False) as queued:
        start(browser(manager), ctx)
    run = IncidentImportRun.objects.get()
    assert not isinstance(default_storage, FileSystemStorage)  # no local file to hand to the importer
    stored = run.uploads[0]["stored"]
    assert default_storage.exists(stored)
    queued[0]()
    run.refresh_from_db()
    assert run.status == S.DONE and run.report["created"] == 3, run.failure_reason
    assert not default_storage.exists(stored)

"""Generated test suites: a model's test class supplies data, these classes test the standard behaviour.

`RecordAPISuite` checks, for one REST resource: authentication, CRUD through the API with exactly one
change-log entry per write, nothing written on bad input, the permission matrix (writer role, auditor,
a provider role of another area, customers) and that another organization's records are invisible; and,
from the record type's declaration (core.declaration): the representation, the agreement of the
permission paths for every role, the input rules (customers, status), every declared filter, ordering and
search, tenant-safe organization fields, and the list's query count against its recorded baseline.

`RecordUISuite` checks the record type's pages the same way: list (filters, sorting, search, CSV),
detail, and the forms each audience gets.
"""

from __future__ import annotations

import fcntl
import json
import os
from pathlib import Path
from typing import Any, ClassVar

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction
from django.test import Client
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from servitium.core import permissions, tenancy
from servitium.core.declaration import Resource, is_declared, resource_for
from servitium.core.forms import form_fields
from servitium.core.models import ChangeRecord
from tests import factories, sheets


def client(user=None) -> APIClient:
    api = APIClient()
    if user is not None:
        api.force_authenticate(user)
    return api


def entries_for(obj) -> list[ChangeRecord]:
    return list(
        ChangeRecord.objects.filter(object_type=type(obj).object_type(), object_id=obj.pk).order_by("id")
    )


QUERY_BASELINES = Path(__file__).with_name("query_counts.json")
RECORD_BASELINES = os.environ.get("SERVITIUM_RECORD_QUERY_COUNTS") == "1"


def declared(model) -> type[Resource] | None:
    return resource_for(model) if is_declared(model) else None


def sample_value(obj, name: str):
    """A value of `obj` that the filter `name` can be given to find it (None: nothing to filter by);
    a filter across a relation (`target__agreement`) follows it."""
    *path, name = name.split("__")
    for part in path:
        obj = getattr(obj, part, None)
        if obj is None:
            return None
    field = obj._meta.get_field(name)
    if field.many_to_many:
        first = getattr(obj, name).first()
        return None if first is None else first.pk
    value = getattr(obj, field.attname)
    if value is None or value == "":
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return value


def query_count(func) -> int:
    with CaptureQueriesContext(connection) as queries:
        func()
    return len(queries)


def baseline(key: str, count: int) -> int | None:
    """The recorded query count of `key` on this database (recording it when asked to)."""
    vendor = connection.vendor
    with open(QUERY_BASELINES, "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        handle.seek(0)
        text = handle.read()
        data = json.loads(text) if text.strip() else {}
        if RECORD_BASELINES:
            data.setdefault(vendor, {})[key] = count
            handle.seek(0)
            handle.truncate()
            json.dump({v: dict(sorted(d.items())) for v, d in sorted(data.items())}, handle, indent=1)
            handle.write("\n")
        return data.get(vendor, {}).get(key)


class RecordAPISuite:
    endpoint: ClassVar[str]
    model: ClassVar[type]
    writer_roles: ClassVar[list[str]] = ["administrator"]
    foreign_roles: ClassVar[list[str]] = []  # provider roles that must not write here
    deletable: ClassVar[bool] = True
    customer_visible: ClassVar[bool] = True  # do customer users see their own organization's records?

    # --- data hooks ------------------------------------------------------------------------------------
    def make(self, ctx) -> Any:
        """A record that belongs to ctx.org_a (or to the provider for provider-only models)."""
        raise NotImplementedError

    def create_payload(self, ctx) -> dict[str, Any]:
        raise NotImplementedError

    def invalid_payload(self, ctx) -> dict[str, Any]:
        return {}

    def update_payload(self, ctx) -> dict[str, Any]:
        raise NotImplementedError

    # --- helpers ---------------------------------------------------------------------------------------
    def url(self, obj=None) -> str:
        base = f"/api/v1/{self.endpoint}/"
        return base if obj is None else f"{base}{obj.pk}/"

    def writer(self, ctx):
        return factories.user("suite_writer", ctx.provider, self.writer_roles)

    def api(self, user=None):
        """The client the suite calls the API with (a subclass may run the suite through the WSGI
        application and the fast lane: WsgiClient)."""
        return client(user)

    # --- the suite -------------------------------------------------------------------------------------
    def test_anonymous_gets_401(self, ctx):
        obj = self.make(ctx)
        assert self.api().get(self.url()).status_code == 401
        assert self.api().get(self.url(obj)).status_code == 401
        assert self.api().post(self.url(), self.create_payload(ctx), format="json").status_code == 401

    def test_create_writes_one_change_record(self, ctx):
        response = self.api(self.writer(ctx)).post(self.url(), self.create_payload(ctx), format="json")
        assert response.status_code == 201, response.json()
        body = response.json()
        assert isinstance(body["id"], int) and body["url"].endswith(f"/api/v1/{self.endpoint}/{body['id']}/")
        records = list(
            ChangeRecord.objects.filter(
                object_type=self.model.object_type(), object_id=body["id"], action="create"
            )
        )
        assert len(records) == 1
        assert records[0].actor_name == "suite_writer"
        assert records[0].context == "api"
        assert records[0].request_id

    def test_invalid_create_writes_nothing(self, ctx):
        writer = self.writer(ctx)
        payload = self.invalid_payload(ctx)
        before = ChangeRecord.objects.count()
        response = self.api(writer).post(self.url(), payload, format="json")
        assert response.status_code == 400
        assert isinstance(response.json(), dict) and response.json()
        assert ChangeRecord.objects.count() == before

    def test_update_logs_the_changed_fields(self, ctx):
        obj = self.make(ctx)
        payload = self.update_payload(ctx)
        response = self.api(self.writer(ctx)).patch(self.url(obj), payload, format="json")
        assert response.status_code == 200, response.json()
        updates = [r for r in entries_for(obj) if r.action == "update"]
        assert len(updates) == 1
        assert set(payload) <= set(updates[0].changes)

    def test_delete(self, ctx):
        obj = self.make(ctx)
        response = self.api(self.writer(ctx)).delete(self.url(obj))
        if not self.deletable:
            assert response.status_code in (400, 403, 405)
            return
        assert response.status_code == 204
        assert not type(obj)._default_manager.filter(pk=obj.pk).exists()
        assert [r.action for r in entries_for(obj)][-1] == "delete"

    def test_auditor_reads_but_cannot_write(self, ctx):
        obj = self.make(ctx)
        api = self.api(ctx.auditor)
        assert api.get(self.url(obj)).status_code == 200
        create, update = self.create_payload(ctx), self.update_payload(ctx)
        before = ChangeRecord.objects.count()
        assert api.post(self.url(), create, format="json").status_code == 403
        assert api.patch(self.url(obj), update, format="json").status_code == 403
        assert api.delete(self.url(obj)).status_code == 403
        assert ChangeRecord.objects.count() == before

    def test_other_area_roles_cannot_write(self, ctx):
        obj = self.make(ctx)
        for i, role in enumerate(self.foreign_roles):
            user = factories.user(f"suite_foreign{i}", ctx.provider, [role])
            create, update = self.create_payload(ctx), self.update_payload(ctx)
            before = ChangeRecord.objects.count()
            api = self.api(user)
            assert api.post(self.url(), create, format="json").status_code in (403, 404)
            assert api.patch(self.url(obj), update, format="json").status_code in (403, 404)
            assert ChangeRecord.objects.count() == before

    def test_another_organizations_records_are_invisible(self, ctx):
        obj = self.make(ctx)
        api = self.api(ctx.customer_b)
        assert api.get(self.url(obj)).status_code == 404
        assert api.patch(self.url(obj), self.update_payload(ctx), format="json").status_code == 404
        assert api.delete(self.url(obj)).status_code == 404
        listed = api.get(self.url(), {"page_size": 1000}).json()
        assert obj.pk not in [row["id"] for row in listed["results"]]

    def test_customer_of_the_organization(self, ctx):
        obj = self.make(ctx)
        api = self.api(ctx.customer_a)
        response = api.get(self.url(obj))
        if not self.customer_visible:
            assert response.status_code == 404
            return
        assert response.status_code == 200
        create, update = self.create_payload(ctx), self.update_payload(ctx)
        before = ChangeRecord.objects.count()
        assert api.patch(self.url(obj), update, format="json").status_code == 403
        assert api.post(self.url(), create, format="json").status_code == 403
        assert ChangeRecord.objects.count() == before

    def test_list_paginates_and_orders(self, ctx):
        self.make(ctx)
        response = self.api(ctx.admin).get(self.url(), {"page_size": 1, "ordering": "-created"})
        assert response.status_code == 200
        body = response.json()
        assert set(body) == {"count", "next", "previous", "results"}
        assert len(body["results"]) == 1
        assert body["count"] >= 1

    # --- from the declaration -----------------------------------------------------------------------------
    @property
    def resource(self) -> type[Resource] | None:
        return declared(self.model)

    def test_representation_is_the_declaration(self, ctx):
        resource = self.resource
        if resource is None:
            pytest.skip("not declared yet")
        obj = self.make(ctx)
        body = self.api(ctx.admin).get(self.url(obj)).json()
        assert list(body) == resource.representation()

    def test_permission_paths_agree_for_every_role(self, ctx):
        """restrict(), can(), unrestricted() and has_permission() give one answer for every role."""
        obj = self.make(ctx)
        model = type(obj)
        users = [ctx.admin, ctx.customer_a, ctx.customer_b]
        roles = [name for name in permissions.ROLES if name != permissions.CUSTOMER]
        users += [factories.user(f"agree_{i}", ctx.provider, [name]) for i, name in enumerate(roles)]
        every = list(model._default_manager.all())
        for user in users:
            for action in (permissions.VIEW, permissions.ADD, permissions.CHANGE, permissions.DELETE):
                restricted = set(permissions.restrict(model._default_manager.all(), user, action))
                allowed = {o for o in every if permissions.can(user, action, o)}
                assert restricted == allowed, (user.username, action)
                if permissions.unrestricted(user, model, action):
                    assert restricted == set(every), (user.username, action)
                if restricted:
                    assert permissions.has_permission(user, action, model), (user.username, action)

    def test_declared_filters_find_the_record(self, ctx):
        resource = self.resource
        if resource is None:
            pytest.skip("not declared yet")
        obj = self.make(ctx)
        api = self.api(ctx.admin)
        names = resource.filters if isinstance(resource.filters, tuple) else tuple(resource.filters)
        for name in names:
            value = sample_value(obj, name)
            if value is None:
                continue
            response = api.get(self.url(), {name: value, "page_size": 1000})
            assert response.status_code == 200, (name, response.content)
            assert obj.pk in [row["id"] for row in response.json()["results"]], name
        always = ("created",) if resource.model_field("created") is not None else ()
        for name in (*resource.orderings, *always):
            for ordering in (name, f"-{name}"):
                assert api.get(self.url(), {"ordering": ordering}).status_code == 200, ordering
        assert api.get(self.url(), {"ordering": "no_such_field"}).status_code == 400

    def test_search_finds_the_record(self, ctx):
        resource = self.resource
        if resource is None or not resource.search:
            pytest.skip("no search declared")
        obj = self.make(ctx)
        words = [
            str(getattr(obj, f, "") or "").split()
            for f in resource.search
            if "__" not in f and isinstance(getattr(obj, f, None), str)
        ]
        word = next((w[0] for w in words if w), None)
        if word is None:
            pytest.skip("the sample record has no text to search for")
        found = self.api(ctx.admin).get(self.url(), {"search": word, "page_size": 1000}).json()
        assert obj.pk in [row["id"] for row in found["results"]]

    def test_status_changes_only_through_transitions(self, ctx):
        resource = self.resource
        if resource is None or not resource.status:
            pytest.skip("no status field")
        obj = self.make(ctx)
        field = self.model._meta.get_field(resource.status)
        other = next((v for v, _label in field.choices if v != getattr(obj, resource.status)), None)
        before = ChangeRecord.objects.count()
        response = self.api(ctx.admin).patch(self.url(obj), {resource.status: other}, format="json")
        assert response.status_code in (400, 405), response.content
        if response.status_code == 400:
            assert resource.status in response.json()
        assert ChangeRecord.objects.count() == before

    def test_customers_cannot_set_provider_fields(self, ctx):
        """A field only provider staff may write answers 400 naming it when a customer sends it."""
        resource = self.resource
        if resource is None or permissions.ADD not in resource.customer_actions:
            pytest.skip("customers do not create these records")
        payload = self.create_payload(ctx)
        refused = sorted(set(payload) - set(resource.customer.create))
        if not refused:
            pytest.skip("the sample payload holds no provider-only field")
        before = ChangeRecord.objects.count()
        response = self.api(ctx.customer_a).post(self.url(), payload, format="json")
        assert response.status_code == 400, response.content
        assert set(refused) & set(response.json()), response.json()
        assert ChangeRecord.objects.count() == before

    def test_customers_see_only_their_own_organization(self, ctx):
        obj = self.make(ctx)
        response = self.api(ctx.customer_a).get(self.url(obj))
        if response.status_code == 404:
            return
        body = response.json()
        for name, many in tenancy.tenant_fields(self.model, body).items():
            values = body[name] if many else [body[name]]
            assert set(values) <= {ctx.org_a.pk, None}, (name, body[name])

    def test_list_queries_match_the_baseline(self, ctx):
        """The list costs its recorded number of queries, whatever the number of rows (no N+1). A change
        that adds queries fails here: record the new figures with SERVITIUM_RECORD_QUERY_COUNTS=1."""
        self.make(ctx)
        api = self.api(ctx.admin)
        one = query_count(lambda: api.get(self.url()))
        try:
            with transaction.atomic():
                self.make(ctx)
        except (IntegrityError, ValidationError):
            more = one  # the sample cannot be made twice: only the baseline is checked
        else:
            more = query_count(lambda: api.get(self.url()))
        assert more == one, f"{self.endpoint}: {one} queries for one row, {more} for two"
        expected = baseline(f"api:{self.endpoint}", one)
        assert expected == one, f"{self.endpoint}: {one} queries, recorded baseline {expected}"


class WsgiResponse:
    def __init__(self, status: int, headers: dict[str, str], content: bytes) -> None:
        self.status_code, self.headers, self.content = status, headers, content

    def json(self) -> Any:
        return json.loads(self.content)

    def __getitem__(self, name: str) -> str:
        return self.headers[name]


def _test_token(user) -> str:
    """An API key for a test user, stored directly: the suites count change-log entries around their
    calls, and issuing a key through the service logs one."""
    import secrets

    from servitium.core.models import ApiToken
    from servitium.core.services import token_digest

    key = secrets.token_urlsafe(32)
    ApiToken.objects.create(user=user, digest=token_digest(key), prefix=key[:8])
    return key


class WsgiClient:
    """An API client that calls the site's WSGI application as a server does: the fast lane in front of
    Django's full stack, token authentication, JSON bodies. Suites run through it must give the same
    results as through the test client."""

    def __init__(self, user=None) -> None:
        from django.core.handlers.wsgi import WSGIHandler

        from servitium.core.api import lane

        self.app = lane.Lane(WSGIHandler())
        self.key = _test_token(user) if user is not None else None

    def _call(self, method: str, path: str, data: Any = None) -> WsgiResponse:
        import io
        from urllib.parse import urlencode, urlsplit

        from django.core import signals
        from django.db import close_old_connections

        parts = urlsplit(path)
        query = parts.query
        body = b""
        if method in ("GET", "DELETE", "HEAD") and data:
            query = urlencode(data, doseq=True)
        elif data is not None:
            body = json.dumps(data).encode()
        environ = {
            "REQUEST_METHOD": method,
            "PATH_INFO": parts.path,
            "QUERY_STRING": query,
            "SERVER_NAME": "testserver",
            "SERVER_PORT": "80",
            "HTTP_HOST": "testserver",
            "SERVER_PROTOCOL": "HTTP/1.1",
            "wsgi.input": io.BytesIO(body),
            "wsgi.url_scheme": "http",
            "wsgi.errors": io.StringIO(),
            "CONTENT_LENGTH": str(len(body)),
            **({"CONTENT_TYPE": "application/json"} if body else {}),
            **({"HTTP_AUTHORIZATION": f"Token {self.key}"} if self.key else {}),
        }
        answer: dict[str, Any] = {}

        def start_response(status, headers, exc_info=None):
            answer["status"], answer["headers"] = int(status.split()[0]), dict(headers)

        # As Django's test client does: the end-of-request hook would close the test's connection.
        signals.request_started.disconnect(close_old_connections)
        signals.request_finished.disconnect(close_old_connections)
        try:
            content = b"".join(self.app(environ, start_response))
        finally:
            signals.request_started.connect(close_old_connections)
            signals.request_finished.connect(close_old_connections)
        return WsgiResponse(answer["status"], answer["headers"], content)

    def get(self, path: str, data: Any = None, **_kw) -> WsgiResponse:
        return self._call("GET", path, data)

    def post(self, path: str, data: Any = None, **_kw) -> WsgiResponse:
        return self._call("POST", path, data)

    def patch(self, path: str, data: Any = None, **_kw) -> WsgiResponse:
        return self._call("PATCH", path, data)

    def put(self, path: str, data: Any = None, **_kw) -> WsgiResponse:
        return self._call("PUT", path, data)

    def delete(self, path: str, data: Any = None, **_kw) -> WsgiResponse:
        return self._call("DELETE", path, data)


def browser(user) -> Client:
    page = Client()
    page.force_login(user)
    return page


def sent_to_portal(response) -> bool:
    """A customer user asking for a staff page is sent to the customer portal instead (servitium.portal):
    customers see their organization's records there and through the API, never on the staff pages."""
    return response.status_code == 302 and response["Location"] == "/portal/"


class RecordUISuite:
    """The pages of one record type, from its declaration: list (filters, sorting, search, CSV), detail
    and the forms each audience gets. A test class supplies `model`, `make` and the writer roles."""

    model: ClassVar[type]
    writer_roles: ClassVar[list[str]] = ["administrator"]
    has_forms: ClassVar[bool] = True

    def make(self, ctx) -> Any:
        raise NotImplementedError

    @property
    def resource(self) -> type[Resource]:
        found = declared(self.model)
        assert found is not None, f"{self.model.__name__} is not declared"
        return found

    def url(self, suffix: str, *args) -> str:
        from django.urls import reverse

        meta = self.model._meta
        return reverse(f"{meta.app_label}:{meta.model_name}_{suffix}", args=args)

    def writer(self, ctx):
        return factories.user("ui_writer", ctx.provider, self.writer_roles)

    def test_list_filters_sorts_searches_and_exports(self, ctx):
        obj = self.make(ctx)
        page = browser(ctx.admin)
        listing = page.get(self.url("list"))
        assert listing.status_code == 200
        assert obj.get_absolute_url().encode() in listing.content
        for name in self.resource.list_filters:
            value = sample_value(obj, name)
            if value is not None:
                filtered = page.get(self.url("list"), {name: value})
                assert filtered.status_code == 200 and obj.get_absolute_url().encode() in filtered.content
        for column in listing.context["columns"]:
            if column["sortable"]:
                assert page.get(self.url("list"), {"ordering": f"-{column['name']}"}).status_code == 200
        assert page.get(self.url("list"), {"ordering": "no_such_field"}).status_code == 400
        exported = page.get(self.url("list"), {"export": "csv"})
        assert exported.status_code == 200 and exported["Content-Type"].startswith("text/csv")
        workbook = page.get(self.url("list"), {"export": "xlsx"})
        assert workbook.status_code == 200 and workbook["Content-Type"].endswith("spreadsheetml.sheet")
        rows = {kind: sheets.exported_rows(r, kind) for kind, r in (("csv", exported), ("xlsx", workbook))}
        assert rows["xlsx"][0] == rows["csv"][0]  # the same columns and the same records, by id
        assert [r[0] for r in rows["xlsx"]] == [r[0] for r in rows["csv"]] and len(rows["csv"]) > 1

    def test_detail_shows_the_declared_fields(self, ctx):
        obj = self.make(ctx)
        detail = browser(ctx.admin).get(obj.get_absolute_url())
        assert detail.status_code == 200
        shown = [str(d["label"]) for d in detail.context["details"]]
        expected = [
            str(self.model._meta.get_field(n).verbose_name)
            for n in self.resource.fields
            if n not in self.resource.computed
            and n not in self.resource.write_only
            and n not in self.resource.detail_hidden
            and (self.model._meta.get_field(n).concrete or self.model._meta.get_field(n).many_to_many)
        ]
        assert shown == expected

    def test_forms_hold_what_the_audience_may_write(self, ctx):
        if not self.has_forms:
            pytest.skip("no forms")
        obj = self.make(ctx)
        writer = self.writer(ctx)
        page = browser(writer)
        created = page.get(self.url("create"))
        assert created.status_code == 200
        assert list(created.context["form"].fields) == form_fields(self.resource, writer, True)
        edited = page.get(self.url("edit", obj.pk))
        assert edited.status_code == 200
        assert list(edited.context["form"].fields) == form_fields(self.resource, writer, False)
        assert browser(ctx.auditor).get(self.url("edit", obj.pk)).status_code == 404
        assert sent_to_portal(browser(ctx.customer_b).get(self.url("edit", obj.pk)))

    def test_a_field_the_user_may_not_write_is_refused_by_name(self, ctx):
        if not self.has_forms:
            pytest.skip("no forms")
        obj = self.make(ctx)
        writer = self.writer(ctx)
        allowed = set(form_fields(self.resource, writer, False))
        refused = [
            n
            for n in (*self.resource.fields, self.resource.status)
            if n and n not in allowed and self.resource.model_field(n) is not None and n != "id"
        ]
        if not refused:
            pytest.skip("every declared field is writable here")
        before = ChangeRecord.objects.count()
        response = browser(writer).post(self.url("edit", obj.pk), {refused[0]: "x"})
        assert response.status_code == 400
        assert refused[0] in response.content.decode()
        assert ChangeRecord.objects.count() == before

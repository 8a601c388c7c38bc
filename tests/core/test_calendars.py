"""Service-hours calendars through the API: validation and business-time computation."""

from tests.base import client


def test_calendar_validation_and_compute(ctx):
    api = client(ctx.admin)
    bad = api.post(
        "/api/v1/calendars/",
        {"name": "Bad", "time_zone": "Nowhere/City", "weekly_hours": {"mon": [["18:00", "09:00"]]}},
        format="json",
    )
    assert bad.status_code == 400
    assert "time_zone" in bad.json() and "weekly_hours" in bad.json()
    cal = api.post(
        "/api/v1/calendars/",
        {
            "name": "Office",
            "time_zone": "Europe/Berlin",
            "weekly_hours": {d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
            "holidays": [{"date": "2026-12-28", "name": "Company day"}],
        },
        format="json",
    )
    assert cal.status_code == 201, cal.json()
    # Friday 16:00 Berlin + 2 business hours -> Tuesday 10:00 (Monday 28 Dec is a custom holiday).
    due = api.get(
        f"/api/v1/calendars/{cal.json()['id']}/compute/",
        {"start": "2026-12-25T16:00:00+01:00", "seconds": 7200},
    )
    assert due.status_code == 200
    assert due.json()["due"] == "2026-12-29T09:00:00+00:00"

"""English dates as people read them anywhere: "27 Nov 2026, 15:08", never "11/27/2026 3:08 p.m."
(day-month order a reader cannot mistake, a 24-hour clock). One form for every date on every page: a
value printed as it is ({{ record.created }}) reads as `|when` shows it. Input formats stay Django's."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
TIME_FORMAT = "H:i"
SHORT_DATE_FORMAT = "j M Y"
SHORT_DATETIME_FORMAT = "j M Y, H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"

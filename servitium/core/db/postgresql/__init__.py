"""PostgreSQL, with timestamps read by psycopg's C loader.

Django registers its own loader for `timestamptz` (a Python subclass of psycopg's pure-Python one that
sets the time zone on every value), so each timestamp of every row is parsed in Python: a page of 50
tickets with their clocks reads about 800 of them, an eighth of the page's CPU. When the connection
speaks UTC (Django's own choice with USE_TZ and no TIME_ZONE for the database), psycopg's C loader
already returns the values in `datetime.timezone.utc`, exactly what Django's loader would give, so it
is registered on each cursor. Any other set-up keeps Django's loader.
"""

import os

from django.core.wsgi import get_wsgi_application

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "servitium.settings")
django_application = get_wsgi_application()

from servitium.core.api.lane import Lane  # noqa: E402  (needs the apps loaded above)

application = Lane(django_application)

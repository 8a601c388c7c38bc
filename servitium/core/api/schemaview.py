"""The view that serves the OpenAPI description (apart from core/api/schema.py, which the description is made
with: DRF imports that one while it sets up, before a view can be defined)."""

from __future__ import annotations

from django.utils import translation
from drf_spectacular.views import SpectacularAPIView
from rest_framework.response import Response


class SchemaView(SpectacularAPIView):
    """`/api/schema/`: the OpenAPI description, made once per process, language and version (making it walks
    every endpoint and serializer and took 15 s a request; it changes only with the code). Rendering it as
    YAML or JSON still happens per request."""

    _made: dict[tuple, dict] = {}

    def _get_schema_response(self, request):
        version = self.api_version or request.version or self._get_version_parameter(request)
        key = (translation.get_language(), version, request.build_absolute_uri("/"))
        schema = self._made.get(key)
        if schema is None:
            generator = self.generator_class(
                urlconf=self.urlconf, api_version=version, patterns=self.patterns
            )
            schema = self._made[key] = generator.get_schema(request=request, public=self.serve_public)
        filename = self._get_filename(request, version)
        return Response(data=schema, headers={"Content-Disposition": f'inline; filename="{filename}"'})

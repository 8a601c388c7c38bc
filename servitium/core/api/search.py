"""`GET /api/v1/search/?q=`: the global search across record types (core/search.py), as the /search/ page
shows it: an exact reference match first, then groups of ranked hits per record type, every hit one the
caller may view."""

from __future__ import annotations

from typing import Any

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from .. import search
from ..searchindex import indexed_models, spec_for


def _record_types() -> list[str]:
    return sorted(spec_for(m).record_type for m in indexed_models())


class SearchQuerySerializer(serializers.Serializer):
    q = serializers.CharField(
        max_length=search.MAX_QUERY,
        help_text=_("What to look for: words (each matched as the start of a word) or a reference number."),
    )
    type = serializers.ChoiceField(
        choices=[], required=False, help_text=_("Only records of this type (`app_label.model`).")
    )
    limit = serializers.IntegerField(
        required=False,
        min_value=1,
        max_value=search.MAX_PER_TYPE,
        help_text=_("At most this many hits per record type (default 5; 20 with `type`)."),
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["type"].choices = _record_types()  # the declarations are read once the apps are ready


class GlobalSearchHitSerializer(serializers.Serializer):
    type = serializers.CharField(source="record_type", help_text=_("The record type, `app_label.model`."))
    id = serializers.IntegerField()
    reference = serializers.CharField(allow_blank=True)
    title = serializers.CharField(allow_blank=True)
    snippet = serializers.CharField(source="snippet_text", allow_blank=True)
    snippet_html = serializers.CharField(
        allow_blank=True, help_text=_("The snippet as HTML: text escaped, matched words in <mark>.")
    )
    url = serializers.CharField(allow_blank=True, help_text=_("The record's page."))
    score = serializers.FloatField(help_text=_("Relevance within the record type (higher is better)."))
    exact = serializers.BooleanField(help_text=_("The query is this record's reference number."))


class SearchGroupSerializer(serializers.Serializer):
    type = serializers.CharField(source="record_type")
    label = serializers.CharField()
    count = serializers.IntegerField(help_text=_("How many records of this type match."))
    results = GlobalSearchHitSerializer(source="hits", many=True)


class SearchResultSerializer(serializers.Serializer):
    query = serializers.CharField(allow_blank=True)
    exact = GlobalSearchHitSerializer(allow_null=True, help_text=_("The record whose reference was typed."))
    groups = SearchGroupSerializer(many=True)


class SearchView(APIView):
    @extend_schema(
        operation_id="search",
        parameters=[SearchQuerySerializer],
        responses=SearchResultSerializer,
        tags=["search"],
    )
    def get(self, request: Request) -> Response:
        """Records of every type the caller may view that match `q`: the record whose reference number `q`
        is, then per record type the best matches (all words must match, each as the start of a word),
        with a snippet showing where."""
        params = SearchQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        found = search.search(
            params.validated_data["q"],
            request.user,
            record_type=params.validated_data.get("type"),
            limit=params.validated_data.get("limit"),
        )
        return Response(SearchResultSerializer(found).data)

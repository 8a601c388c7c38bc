"""The global search page (/search/): what the top bar's search box submits."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from servitium.core import search


@login_required
def search_page(request: HttpRequest) -> HttpResponse:
    """Results grouped by record type. A query that is the reference number of a record the user may see
    opens that record at once (`all=1` shows the results page instead, with the record first)."""
    query = request.GET.get("q", "")[: search.MAX_QUERY].strip()
    types = search.searchable_types(request.user)
    record_type = request.GET.get("type")
    if record_type not in types:  # an unknown or invisible type is no filter
        record_type = None
    results = search.search(query, request.user, record_type=record_type) if query else None
    if results is not None and results.exact and results.exact.url and not request.GET.get("all"):
        return redirect(results.exact.url)
    return render(
        request,
        "site/search.html",
        {
            "query": query,
            "results": results,
            "record_type": record_type,
            "type_label": search.type_label(types[record_type]) if record_type else "",
        },
    )

"""The answers a request gets when the site refuses to do its work: as a page, or as the API's
JSON error envelope for the API and the exports."""

from __future__ import annotations

from django.http import JsonResponse
from django.shortcuts import render

# Routes that answer in JSON, so their refusals do too.
JSON_NAMESPACE = "dialogues:api"
JSON_ROUTES = {"dialogues:export"}


def answers_json(request) -> bool:
    match = getattr(request, "resolver_match", None)
    if match is None:
        return request.path_info.startswith("/api/")
    return match.namespace == JSON_NAMESPACE or match.view_name in JSON_ROUTES


def refuse(request, *, status: int, message: str, template: str, context=None, headers=None):
    """Answer `status` with `message`: the JSON envelope or the page `template`."""
    if answers_json(request):
        response = JsonResponse({"errors": {"detail": [message]}}, status=status)
        if request.path_info.startswith("/api/"):
            # Every API answer may be read from any origin, refusals included.
            response["Access-Control-Allow-Origin"] = "*"
    else:
        context = {"message": message, **(context or {})}
        response = render(request, template, context, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response

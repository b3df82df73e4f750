"""The answers a request gets when the site refuses to do its work: as a page, as the API's
JSON error envelope for the API and the exports, or as plain text for the machines' routes
(OAI-PMH and the Atom feeds), whose clients read neither a page nor the API's envelope.

OAI-PMH has no error for a rate limit (its errors are about the request, not the load), so a
harvester refused gets HTTP 429 with `Retry-After` and a plain-text reason it can log, rather
than an XML error code that would misname the refusal."""

from __future__ import annotations

from django.http import HttpResponse, JsonResponse
from django.shortcuts import render

# Routes that answer in JSON, so their refusals do too.
JSON_NAMESPACE = "dialogues:api"
JSON_ROUTES = {"dialogues:export"}
# Routes read by harvesters and feed readers: refused in plain text.
PLAIN_ROUTES = {"oai", "feeds:changes", "feeds:era_changes"}


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
    elif getattr(getattr(request, "resolver_match", None), "view_name", None) in PLAIN_ROUTES:
        response = HttpResponse(
            f"{message}\n", status=status, content_type="text/plain; charset=utf-8"
        )
    else:
        context = {"message": message, **(context or {})}
        response = render(request, template, context, status=status)
    for name, value in (headers or {}).items():
        response[name] = value
    return response

"""Requests to the API and readings of its answers, shared by its test modules."""

from django.urls import reverse


def api_get(client, name, query="", **kwargs):
    url = reverse(f"dialogues:api:{name}", kwargs=kwargs or None)
    return client.get(f"{url}?{query}" if query else url)


def slugs(response):
    return [item["slug"] for item in response.json()["results"]]

"""The editors' admin in the language its editor chose.

Django's LocaleMiddleware gives every address outside the language prefixes the default
language, since English keeps the public pages' unprefixed addresses. The admin has one address
in every language, so for it this middleware, placed just after LocaleMiddleware, takes the
language from the editor's choice (the cookie that `set_language` writes) or else from the
browser's languages, as Django does where no prefix is in use.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils import translation


class AdminLanguageMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response
        self._admin = None

    def __call__(self, request):
        if self._admin is None:
            self._admin = reverse("admin:index")
        if request.path_info.startswith(self._admin):
            language = translation.get_language_from_request(request, check_path=False)
            translation.activate(language)
            request.LANGUAGE_CODE = translation.get_language()
        return self.get_response(request)

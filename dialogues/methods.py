"""Pages answer GET and HEAD only; any other method is refused with 405 and `Allow`."""

from __future__ import annotations

from functools import wraps

from django.http import HttpResponseNotAllowed
from django.views.decorators.csrf import csrf_exempt

SAFE_METHODS = ("GET", "HEAD")


def read_only(view):
    """Wrap a page's view so that only GET and HEAD reach it.

    It is exempt from the CSRF check, which would otherwise answer a POST with 403 before the
    405 could say what is wrong; a view that takes no unsafe method has nothing to protect.
    """

    @wraps(view)
    def guarded(request, *args, **kwargs):
        if request.method not in SAFE_METHODS:
            response = HttpResponseNotAllowed(
                SAFE_METHODS,
                content=f"{request.method} is not allowed here: use GET or HEAD.\n",
                content_type="text/plain; charset=utf-8",
            )
            return response
        return view(request, *args, **kwargs)

    return csrf_exempt(guarded)

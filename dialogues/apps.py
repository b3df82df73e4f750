from django.apps import AppConfig


class DialoguesConfig(AppConfig):
    name = "dialogues"
    verbose_name = "Track II archive"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import (
            search,  # noqa: F401  (connects the search index receivers)
            signals,  # noqa: F401  (connects the receivers)
        )

from django.apps import AppConfig


class DialoguesConfig(AppConfig):
    name = "dialogues"
    verbose_name = "Track II archive"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from . import writes  # noqa: F401  (connects the receivers of every write's effects)

from django.apps import AppConfig


class DialoguesConfig(AppConfig):
    name = "dialogues"
    verbose_name = "Track II archive"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.backends.signals import connection_created

        from . import writes  # noqa: F401  (connects the receivers of every write's effects)
        from .search.sqlite import register_functions

        # The search's normalisation, as an SQL function on every SQLite connection.
        connection_created.connect(register_functions, dispatch_uid="search-sql-functions")

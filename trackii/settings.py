"""Settings for the Track II Dialogue Archive, read from the environment.

Every variable is listed in `.env.example` and in the README. Without `DATABASE_URL` the
archive uses a SQLite file beside this package; with it, PostgreSQL through psycopg 3.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from csp.constants import NONCE, NONE, SELF
from django.core.exceptions import ImproperlyConfigured

BASE_DIR = Path(__file__).resolve().parent.parent

TRUE_WORDS = {"1", "true", "yes", "on"}
FALSE_WORDS = {"0", "false", "no", "off", ""}


def env_bool(name: str, default: bool) -> bool:
    """Read a yes/no variable, refusing anything that is neither."""
    raw = os.environ.get(name)
    if raw is None:
        return default
    word = raw.strip().lower()
    if word in TRUE_WORDS:
        return True
    if word in FALSE_WORDS:
        return False
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a yes/no value. Use one of: true, false, 1, 0, yes, no, on, off."
    )


def env_list(name: str, default: str) -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


RATE_PERIODS = {"s": 1, "m": 60, "h": 3600, "d": 86400}


def env_rate(name: str, default: str) -> tuple[int, int] | None:
    """Read a rate such as `30/m` as (requests, seconds); `off` gives None."""
    raw = os.environ.get(name, default)
    word = raw.strip().lower()
    if word == "off":
        return None
    count, _, period = word.partition("/")
    if count.isdigit() and int(count) > 0 and period in RATE_PERIODS:
        return int(count), RATE_PERIODS[period]
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a rate. Write a number of requests per second, minute, hour or "
        "day, such as 30/m, 5/s, 1000/h or 10000/d, or off to turn the limit off."
    )


def env_milliseconds(name: str, default: int) -> int:
    """Read a duration in whole milliseconds; 0 turns the bound off."""
    raw = os.environ.get(name, str(default))
    if raw.strip().isdigit():
        return int(raw.strip())
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a number of milliseconds. Use a whole number such as 3000, "
        "or 0 to turn the bound off."
    )


def env_seconds(name: str, default: int) -> int:
    """Read a lifetime in whole seconds; 0 is allowed."""
    raw = os.environ.get(name, str(default))
    if raw.strip().isdigit():
        return int(raw.strip())
    raise ImproperlyConfigured(
        f"{name}={raw!r} is not a number of seconds. Use a whole number such as 60, or 0."
    )


# Off unless asked for, so that a forgotten variable never exposes debug pages in production.
DEBUG = env_bool("DJANGO_DEBUG", False)

_DEV_SECRET_KEY = "dev-only-insecure-key-never-use-in-production"
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured(
            "DJANGO_SECRET_KEY is not set and DJANGO_DEBUG is off. Set DJANGO_SECRET_KEY to a long "
            "random string for production, or set DJANGO_DEBUG=true to use the development key."
        )
    SECRET_KEY = _DEV_SECRET_KEY

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]")

DATABASE_URL = os.environ.get("DATABASE_URL", "").strip()
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(DATABASE_URL, conn_max_age=600, conn_health_checks=True)
    }
else:
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": BASE_DIR / "db.sqlite3",
            # Each worker keeps its connection, as on PostgreSQL: opening the file and setting
            # its pragmas cost more than a page served from the page store.
            "CONN_MAX_AGE": 600,
            "OPTIONS": {
                # WAL lets readers carry on while an editor saves.
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
            },
        }
    }
IS_POSTGRES = DATABASES["default"]["ENGINE"].endswith("postgresql")
# Streaming replicas of the PostgreSQL primary, for public reads (see trackii/replicas.py).
DATABASE_REPLICA_URLS = env_list("DATABASE_REPLICA_URLS", "")
for _number, _url in enumerate(DATABASE_REPLICA_URLS, start=1):
    _replica = dj_database_url.parse(_url, conn_max_age=600, conn_health_checks=True)
    # A replica that is down is refused quickly, and the request read from the primary.
    _replica.setdefault("OPTIONS", {})["connect_timeout"] = 2
    # The test database is the primary's: no test copy of a replica is made.
    _replica["TEST"] = {"MIRROR": "default"}
    DATABASES[f"replica{_number}"] = _replica
if DATABASE_REPLICA_URLS:
    DATABASE_ROUTERS = ["trackii.replicas.ReplicaRouter"]

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    # Serve static files through whitenoise under runserver too, as in production.
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    # /sitemap.xml, with each page's addresses in the three languages.
    "django.contrib.sitemaps",
    "django_filters",
    # Only for its catalogues: country names in Hebrew and Arabic (it has no models).
    "django_countries",
    "drf_spectacular",
    "axes",
    # Keeps every revision of the archive's records (see dialogues/history/).
    "reversion",
    "dialogues",
    # The synthetic archive generator (`manage.py generate_synthetic`), for benchmarks and tests.
    "synthetic",
]
if IS_POSTGRES:
    # Only PostgreSQL has the search vectors, GIN indexes and unaccent this app uses there.
    INSTALLED_APPS.insert(INSTALLED_APPS.index("django_filters"), "django.contrib.postgres")

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "csp.middleware.CSPMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Which database the request reads from: a replica, or the primary for editors and writes
    # (a no-op without DATABASE_REPLICA_URLS).
    "trackii.replicas.ReplicaMiddleware",
    # Inside whitenoise (static files keep their own far-future caching), outside the session
    # and CSRF middleware, whose cookies make an answer private; it answers 304 before them.
    "trackii.http_cache.HttpCacheMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # The page's language: from the /he/ or /ar/ prefix of a public address (English keeps the
    # unprefixed addresses); elsewhere (the admin) from the cookie or the browser's languages.
    "django.middleware.locale.LocaleMiddleware",
    # The admin's language: the editor's choice (a cookie) or the browser's languages.
    "trackii.admin_language.AdminLanguageMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    # After authentication, so that editors are known; before the view, which it may refuse.
    "trackii.ratelimit.RateLimitMiddleware",
    "trackii.query_budget.QueryBudgetMiddleware",
    # Last, as django-axes requires: it answers a locked-out login with the lockout page.
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "trackii.urls"
WSGI_APPLICATION = "trackii.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "django.template.context_processors.i18n",
                "csp.context_processors.nonce",
            ],
        },
    },
]

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

LANGUAGE_CODE = "en-gb"
# The interface's three languages. English is the default and keeps the unprefixed addresses;
# Hebrew and Arabic are served under /he/ and /ar/, right to left.
LANGUAGES = [
    ("en-gb", "English"),
    ("he", "עברית"),
    ("ar", "العربية"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
# The languages the records' own words are translated into (see dialogues/models/translations.py).
# English is not among them: it stays in the original column (`title`), which everything that
# reads a record reads, and a translation sits beside it (`title_he`, `title_ar`).
MODELTRANSLATION_LANGUAGES = ("he", "ar")
_TRANSLATION_LANGUAGE_NAMES = {"he": "Hebrew", "ar": "Arabic"}


def _translation_verbose_name(verbose_name, lang):
    """How the admin, the history and the diff name a translation field."""
    return f"{verbose_name} ({_TRANSLATION_LANGUAGE_NAMES.get(lang, lang)} translation)"


MODELTRANSLATION_BUILD_LOCALIZED_VERBOSE_NAME = _translation_verbose_name
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "staticfiles"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    # Hashed, compressed names need `collectstatic` first: production does that on deploy,
    # while development and tests serve the files as they are.
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Facet counts and other derived figures are cached, and dropped whenever an editor saves.
# Whole public pages are kept too, under their ETag (`trackii/http_cache.py`); 0 turns that off.
PAGE_CACHE = env_bool("TRACKII_PAGE_CACHE", True)
REDIS_URL = os.environ.get("REDIS_URL", "").strip()
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "trackii",
        },
        # Whole public pages (trackii/http_cache.py), kept apart so they never crowd out the rest.
        "pages": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "trackii-pages",
        },
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "trackii",
            "OPTIONS": {"MAX_ENTRIES": 5000},
        },
        # A few hundred compressed pages (about 10 KB each) per process at most.
        "pages": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": "trackii-pages",
            "OPTIONS": {"MAX_ENTRIES": 500},
        },
    }

if not DEBUG:
    # Behind TLS in production; a local production-mode run can turn the redirect off.
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000"))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True

# Headers a proxy sets are believed only when one is in front: otherwise any client could claim
# HTTPS with `X-Forwarded-Proto`, or another address with `X-Forwarded-For`.
BEHIND_PROXY = env_bool("DJANGO_BEHIND_PROXY", False)
if BEHIND_PROXY:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")

# --- Security headers -------------------------------------------------------------------------

# Scripts and styles come from this site's own files; the only inline script, the record's
# JSON-LD, carries the request's nonce. Nothing may frame the site, post a form elsewhere or
# change the base URL.
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # The admin draws a few icons as data: URLs.
        "img-src": [SELF, "data:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "form-action": [SELF],
        "base-uri": [NONE],
        "object-src": [NONE],
        "frame-ancestors": [NONE],
    }
}
# The archive uses none of these browser features, so no page, nor anything it embeds, may.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "camera",
        "display-capture",
        "geolocation",
        "gyroscope",
        "magnetometer",
        "microphone",
        "midi",
        "payment",
        "publickey-credentials-get",
        "screen-wake-lock",
        "serial",
        "usb",
        "xr-spatial-tracking",
    )
}

# --- Logins -----------------------------------------------------------------------------------

# django-axes checks every login first, then Django's own backend checks the password.
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
# A name and address pair is locked after five wrong passwords, for a quarter of an hour: enough
# for typing mistakes, far too few for guessing.
AXES_FAILURE_LIMIT = 5
AXES_COOLOFF_TIME = timedelta(minutes=15)
AXES_LOCKOUT_PARAMETERS = [["username", "ip_address"]]
AXES_RESET_ON_SUCCESS = True
AXES_LOCKOUT_CALLABLE = "trackii.lockout.lockout_response"
AXES_CLIENT_IP_CALLABLE = "trackii.clients.client_ip"
# The admin's login page; a `next` it refuses falls back to the admin's index, a real page.
LOGIN_URL = "admin:login"
LOGIN_REDIRECT_URL = "admin:index"

# --- Bounded work per request -----------------------------------------------------------------

# No public read may hold a worker longer than this (the admin and commands are not bounded).
QUERY_TIMEOUT_MS = env_milliseconds("TRACKII_QUERY_TIMEOUT_MS", 3000)
# Searches, exports and API lists a client may ask for in a period; editors and API keys are
# exempt. The counters live in the cache, so with Redis they are shared by all workers. A limit
# for the public: on under the production settings, off by default on one's own copy (debug on,
# as `make run`), where the only reader is the one scripting against it.
RATE_LIMIT = env_rate("TRACKII_RATE_LIMIT", "off" if DEBUG else "30/m")
API_KEYS = env_list("TRACKII_API_KEYS", "")
# The address the OAI-PMH provider gives harvesters to write to (Identify's adminEmail).
OAI_ADMIN_EMAIL = os.environ.get("TRACKII_OAI_ADMIN_EMAIL", "editors@example.org").strip()

# --- Caching by browsers, proxies and CDNs (trackii/http_cache.py) -----------------------------

# How long a browser (max-age) and a shared cache (s-maxage) may serve a public page before
# revalidating it; an edit shows through a shared cache at most this late. 0 makes every use
# revalidate, which a 304 answers cheaply.
CACHE_MAX_AGE = env_seconds("TRACKII_CACHE_MAX_AGE", 60)
CACHE_S_MAXAGE = env_seconds("TRACKII_CACHE_S_MAXAGE", 300)

# Where `make_release` writes the versioned data releases that `/data/` lists and serves.
TRACKII_RELEASES_DIR = Path(os.environ.get("TRACKII_RELEASES_DIR") or BASE_DIR / "var" / "releases")
# Where the facet index is written after each build and save, for every worker of the machine to
# map (one shared copy; a save reaches every worker without Redis). "off" keeps it in memory only.
TRACKII_FACET_INDEX_DIR = os.environ.get("TRACKII_FACET_INDEX_DIR", "").strip() or (
    BASE_DIR / "var" / "facet-index"
)
if TRACKII_FACET_INDEX_DIR == "off":
    TRACKII_FACET_INDEX_DIR = None

# While the facet index is being built (a first start, a new day's first request), the list's
# counts and pictures are worked out by grouped queries meanwhile when on (the default with
# debug on), or said to be coming when off (the production default): at 100k dialogues those
# queries take seconds a page, past the query budget, and every list would answer 503.
FACETS_BY_SQL_WHILE_INDEXING = env_bool("TRACKII_FACETS_BY_SQL_WHILE_INDEXING", DEBUG)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": "WARNING"},
}

# The JSON API (dialogues/api/): its views set their own renderers, authentication and
# permissions; these are the settings DRF and drf-spectacular only read from here.
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "dialogues.api.errors.exception_handler",
    "UNAUTHENTICATED_USER": None,
}
SPECTACULAR_SETTINGS = {
    "OAS_VERSION": "3.1.0",
    "TITLE": "Track II Dialogue Archive",
    "VERSION": "1.0.0",
    "DESCRIPTION": (
        "Read-only access to the archive's dialogues, eras, participants and sources. "
        "Lists are paged: `count`, `next`, `previous` and `results`. Every error is "
        'JSON of the form `{"errors": {"field": ["message"]}}`. Any origin may read the answers.'
    ),
    # Two vocabularies are both called `kind`; these name their enums apart.
    "ENUM_NAME_OVERRIDES": {
        "ParticipantKindEnum": "dialogues.models.ParticipantKind",
        "OutcomeKindEnum": "dialogues.models.OutcomeKind",
    },
    "TAGS": [
        {"name": "API", "description": "The JSON API."},
        {"name": "Exports", "description": "Whole result sets as downloads."},
    ],
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "dialogues.api.schema.split_export_formats",
        "dialogues.api.schema.add_refusals",
        "dialogues.api.schema.close_objects",
        "dialogues.api.schema.add_cors_header",
        "dialogues.api.schema.share_parameters",
        "dialogues.api.schema.set_server",
    ],
}

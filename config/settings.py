"""Costbook settings, read from the environment.

Fixed names (deployments and outside tests set them): DATABASE_URL, REDIS_URL, DJANGO_SECRET_KEY, DJANGO_DEBUG,
DJANGO_ALLOWED_HOSTS. Bad values raise at start-up (config.env).
"""

from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _
from kombu import Queue

from config.env import database_url, env_bool, env_int, env_list, env_str

BASE_DIR = Path(__file__).resolve().parent.parent

DEBUG = env_bool("DJANGO_DEBUG", False)

SECRET_KEY = env_str("DJANGO_SECRET_KEY")
if SECRET_KEY is None:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DJANGO_DEBUG is off.")
    # Development only: a random key kept under var/ (never committed) so sessions survive restarts.
    _key_file = BASE_DIR / "var" / "secret_key"
    if not _key_file.exists():
        from django.core.management.utils import get_random_secret_key

        _key_file.parent.mkdir(parents=True, exist_ok=True)
        _key_file.write_text(get_random_secret_key())
    SECRET_KEY = _key_file.read_text().strip()
elif not DEBUG and len(SECRET_KEY) < 50:
    raise ImproperlyConfigured("DJANGO_SECRET_KEY is too short for production; use at least 50 random characters.")

ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["127.0.0.1", "localhost"] if DEBUG else [])
if not DEBUG and not ALLOWED_HOSTS:
    raise ImproperlyConfigured("DJANGO_ALLOWED_HOSTS must list the host names when DJANGO_DEBUG is off.")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "rest_framework.authtoken",
    "django_filters",
    "drf_spectacular",
    "django_celery_beat",
    "django_htmx",
    "axes",
    "core",
    "ledger",
    "costing",
    "periods",
    "reconciliation",
    "jobs",
    "production",
    "reports",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "core.middleware.ApiNotFoundMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "core.audit.AuditMiddleware",
    "core.page_middleware.PagesLoginRequiredMiddleware",
    "core.middleware.UserLanguageMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "axes.middleware.AxesMiddleware",
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.navigation",
                "core.context_processors.user_roles",
                "core.context_processors_invariants.books_check",
            ],
        },
    },
]

# Connections are kept for DB_CONN_MAX_AGE seconds; a kept one is checked (SELECT 1) before a request first uses it, and
# replaced if the database dropped it meanwhile (a restart, a failover, pg_terminate_backend): without the check, each
# worker's next request failed on its dead connection (tests/api/test_database_loss.py).
DATABASES = {
    "default": dj_database_url.parse(
        database_url(BASE_DIR), conn_max_age=env_int("DB_CONN_MAX_AGE", 60), conn_health_checks=True
    )
}
DATABASES["default"]["ATOMIC_REQUESTS"] = False
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "home"
LOGOUT_REDIRECT_URL = "login"

# Login lockout (django-axes): five failures lock the username for 15 minutes; five failures from one address lock
# that address too, so one client cannot spray a password across many usernames (check --deploy: axes.W006).
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
AXES_COOLOFF_TIME = 0.25
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_RESET_ON_SUCCESS = True

LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "UTC"
USE_I18N = True
USE_TZ = True

STATIC_URL = "static/"
STATIC_ROOT = BASE_DIR / "var" / "static"
STATICFILES_DIRS = [BASE_DIR / "static"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}

REST_FRAMEWORK = {
    "DEFAULT_AUTHENTICATION_CLASSES": [
        "rest_framework.authentication.TokenAuthentication",
        "rest_framework.authentication.SessionAuthentication",
    ],
    "DEFAULT_PERMISSION_CLASSES": ["core.permissions.RolePermission"],
    "DEFAULT_PAGINATION_CLASS": "core.api.Pagination",
    "DEFAULT_FILTER_BACKENDS": [
        "core.filters.FilterBackend",
        "rest_framework.filters.OrderingFilter",
    ],
    "DEFAULT_SCHEMA_CLASS": "core.schema.AutoSchema",
    "EXCEPTION_HANDLER": "core.api.exception_handler",
    "COERCE_DECIMAL_TO_STRING": True,
    "DEFAULT_RENDERER_CLASSES": [
        "core.renderers.FastJSONRenderer",
        "rest_framework.renderers.BrowsableAPIRenderer",
    ],
    "UNAUTHENTICATED_USER": "django.contrib.auth.models.AnonymousUser",
    # JSON in and out (shared/spec/api.md): a form-encoded or multipart body is a 415, not a half-read journal.
    "DEFAULT_PARSER_CLASSES": ["rest_framework.parsers.JSONParser"],
    "TEST_REQUEST_DEFAULT_FORMAT": "json",
}
SPECTACULAR_SETTINGS = {
    "TITLE": "Costbook API",
    "DESCRIPTION": "Inventory costing and inventory-to-G/L reconciliation. Amounts are decimal strings.",
    "VERSION": "1",
    "SERVE_INCLUDE_SCHEMA": False,
    "COMPONENT_SPLIT_REQUEST": True,
    # Every operation documents the errors it can answer (core/schema.py).
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.schema.document_error_responses",
    ],
    # One schema name per choice set (several serializers share them); without these, drf-spectacular warns and
    # `check --deploy --fail-level WARNING` fails.
    "ENUM_NAME_OVERRIDES": {
        "ItemLedgerEntryTypeEnum": "costing.models.ItemLedgerEntryType",
        "ValueEntryTypeEnum": "costing.models.ValueEntryType",
        "ProductionOrderStatusEnum": "production.models.ProductionOrderStatus",
    },
}

# Celery: with REDIS_URL a real broker and workers; without it, jobs run in-process (eager) so `make run` needs
# no services. Settings follow shared/spec/reliability.md section 4.5.
REDIS_URL = env_str("REDIS_URL")
CELERY_BROKER_URL = REDIS_URL or "memory://"
CELERY_RESULT_BACKEND = None
CELERY_TASK_ALWAYS_EAGER = REDIS_URL is None
CELERY_TASK_EAGER_PROPAGATES = False
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_WORKER_CANCEL_LONG_RUNNING_TASKS_ON_CONNECTION_LOSS = True
CELERY_BROKER_TRANSPORT_OPTIONS = {"visibility_timeout": 3600, "unacked_restore_interval": 5}
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"
CELERY_TIMEZONE = TIME_ZONE
# Jobs (docs/jobs.md): their own queue and worker; the beat sweeper fails runs whose worker stopped beating.
CELERY_IMPORTS = ("jobs.tasks_invariants",)  # not a tasks.py module, so autodiscovery does not find it
CELERY_TASK_ROUTES = {"jobs.tasks.*": {"queue": "jobs"}}
# A worker started without -Q (tools/serve.py) consumes both; production runs `worker -Q jobs` for the jobs.
CELERY_TASK_QUEUES = (Queue("celery"), Queue("jobs"))
CELERY_BEAT_SCHEDULE = {
    "jobs-sweep-stale-runs": {"task": "jobs.tasks.sweep", "schedule": 60.0, "options": {"expires": 55}},
    "books-check-nightly": {"task": "jobs.tasks_invariants.check_books", "schedule": crontab(hour=3, minute=0)},
}
# The books check as continuous monitoring as well (shared spec, reliability 7.4: run the reconciliation in production,
# not only at night): every N minutes, in pending mode on the live books, as T9 runs it every minute under load and
# crashes without a false alarm. 0 (the default): nightly only.
BOOKS_CHECK_EVERY_MINUTES = env_int("BOOKS_CHECK_EVERY_MINUTES", 0)
if BOOKS_CHECK_EVERY_MINUTES < 0:
    raise ImproperlyConfigured("BOOKS_CHECK_EVERY_MINUTES must be 0 (nightly only) or a number of minutes.")
if BOOKS_CHECK_EVERY_MINUTES:
    CELERY_BEAT_SCHEDULE["books-check-monitor"] = {
        "task": "jobs.tasks_invariants.check_books",
        "schedule": 60.0 * BOOKS_CHECK_EVERY_MINUTES,
        # A check still waiting when the next one is due is dropped, not queued behind it.
        "options": {"expires": 60.0 * BOOKS_CHECK_EVERY_MINUTES - 5},
    }
JOBS_HEARTBEAT_SECONDS = env_int("JOBS_HEARTBEAT_SECONDS", 10)
JOBS_STALE_AFTER_SECONDS = env_int("JOBS_STALE_AFTER_SECONDS", 120)
JOBS_QUEUED_TIMEOUT_SECONDS = env_int("JOBS_QUEUED_TIMEOUT_SECONDS", 6 * 3600)
# Tests only: milliseconds each job sleeps after a batch, so a test can kill a worker in the middle of a run.
JOBS_TEST_BATCH_DELAY_MS = env_int("JOBS_TEST_BATCH_DELAY_MS", 0)

# Production hardening: everything `manage.py check --deploy` asks for when DEBUG is off.
if not DEBUG:
    SECURE_SSL_REDIRECT = env_bool("DJANGO_SECURE_SSL_REDIRECT", True)
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = env_int("DJANGO_HSTS_SECONDS", 31536000)
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = True
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env_str("DJANGO_LOG_LEVEL", "INFO")},
}

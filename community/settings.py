"""Goodword's one settings module.

Everything runs on embedded defaults (SQLite, in-memory channel layer, local-memory
cache) so that `make run` needs no services; each real service is switched on by an
environment variable (DATABASE_URL, REDIS_URL, SEARCH_URL). README.md and .env.example
list every variable.
"""

import os
from pathlib import Path

import dj_database_url
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent


def env_bool(name: str, default: bool) -> bool:
    value = os.environ.get(name)
    if value is None or value == "":
        return default
    return value.strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DEBUG", True)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "")
if not SECRET_KEY:
    if not DEBUG:
        raise ImproperlyConfigured("DJANGO_SECRET_KEY must be set when DEBUG is off.")
    SECRET_KEY = "dev-only-insecure-key-never-use-in-production"

ALLOWED_HOSTS = env_list("ALLOWED_HOSTS", "localhost,127.0.0.1,[::1]" if DEBUG else "")
CSRF_TRUSTED_ORIGINS = env_list("CSRF_TRUSTED_ORIGINS")
SITE_URL = os.environ.get("SITE_URL", "http://127.0.0.1:8000")

INSTALLED_APPS = [
    "daphne",
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "django.contrib.sites",
    "channels",
    "django_htmx",
    "allauth",
    "allauth.account",
    "wagtail.contrib.forms",
    "wagtail.contrib.redirects",
    "wagtail.contrib.settings",
    "wagtail.embeds",
    "wagtail.sites",
    "wagtail.users",
    "wagtail.snippets",
    "wagtail.documents",
    "wagtail.images",
    "wagtail.search",
    "wagtail.admin",
    "wagtail",
    "modelcluster",
    "taggit",
    "community.members",
    "community.home",
    "community.reviews",
    "community.reputation",
    "community.chat",
    "brand_clubs",
    "experts",
    "search",
]

MIDDLEWARE = [
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "community.members.middleware.MemberPreferencesMiddleware",
    "community.reputation.activity.TrustActivityMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "django_htmx.middleware.HtmxMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    "wagtail.contrib.redirects.middleware.RedirectMiddleware",
]

ROOT_URLCONF = "community.urls"
WSGI_APPLICATION = None
ASGI_APPLICATION = "community.asgi.application"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.template.context_processors.tz",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "community.members.context_processors.unread_notifications",
                "community.chat.context_processors.chat_unread",
            ],
        },
    },
]

# --- Database: SQLite file by default, PostgreSQL (or anything dj-database-url reads) by env.
DATABASES = {
    "default": dj_database_url.parse(
        os.environ.get("DATABASE_URL") or f"sqlite:///{BASE_DIR / 'db.sqlite3'}",
        conn_max_age=int(os.environ.get("DATABASE_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # WAL and a busy timeout let Daphne's threads and a seeding command share the file.
    DATABASES["default"].setdefault("OPTIONS", {}).update(
        {
            "timeout": 20,
            "transaction_mode": "IMMEDIATE",
            "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
        }
    )
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# --- Redis: channel layer and cache when REDIS_URL is set, in-process otherwise.
REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CHANNEL_LAYERS = {
        "default": {
            "BACKEND": "channels_redis.core.RedisChannelLayer",
            "CONFIG": {"hosts": [REDIS_URL]},
        }
    }
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": os.environ.get("CACHE_KEY_PREFIX", "goodword"),
        }
    }
else:
    CHANNEL_LAYERS = {"default": {"BACKEND": "channels.layers.InMemoryChannelLayer"}}
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}

# --- Search: the database backend (SQLite FTS5 / PostgreSQL full-text) unless SEARCH_URL
# names an Elasticsearch 8 or OpenSearch 2/3 server (SEARCH_CLIENT says which).
SEARCH_URL = os.environ.get("SEARCH_URL", "")
if SEARCH_URL:
    SEARCH = {
        "BACKEND": "search.backends.engine.EngineSearchBackend",
        "URL": SEARCH_URL,
        "CLIENT": os.environ.get("SEARCH_CLIENT", "opensearch"),
        "INDEX_PREFIX": os.environ.get("SEARCH_INDEX_PREFIX", "goodword"),
        "TIMEOUT": float(os.environ.get("SEARCH_TIMEOUT", "5")),
    }
else:
    SEARCH = {"BACKEND": "search.backends.database.DatabaseSearchBackend"}

# --- Accounts (django-allauth): e-mail logins, confirmation mail, rate-limited logins.
AUTH_USER_MODEL = "members.Member"
AUTHENTICATION_BACKENDS = [
    "django.contrib.auth.backends.ModelBackend",
    "allauth.account.auth_backends.AuthenticationBackend",
]
SITE_ID = 1
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "/"
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = os.environ.get("ACCOUNT_EMAIL_VERIFICATION", "optional")
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_RATE_LIMITS = {
    "login": "30/m/ip",
    "login_failed": "10/m/ip,5/5m/key",
    "signup": "20/m/ip",
    "confirm_email": "1/3m/key",
    "reset_password": "20/m/ip,5/m/key",
}
ACCOUNT_SIGNUP_FORM_CLASS = "community.members.forms.SignupForm"
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]

EMAIL_BACKEND = os.environ.get(
    "EMAIL_BACKEND",
    "django.core.mail.backends.console.EmailBackend"
    if DEBUG
    else "django.core.mail.backends.smtp.EmailBackend",
)
EMAIL_HOST = os.environ.get("EMAIL_HOST", "localhost")
EMAIL_PORT = int(os.environ.get("EMAIL_PORT", "25"))
EMAIL_HOST_USER = os.environ.get("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = os.environ.get("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
DEFAULT_FROM_EMAIL = os.environ.get("DEFAULT_FROM_EMAIL", "Goodword <noreply@localhost>")

# --- Languages and time zones: English and Simplified Chinese are both first-class.
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("zh-hans", _("Simplified Chinese"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
USE_I18N = True
USE_TZ = True
TIME_ZONE = os.environ.get("TIME_ZONE", "UTC")
WAGTAIL_I18N_ENABLED = False
WAGTAILADMIN_PERMITTED_LANGUAGES = LANGUAGES

# --- Static and media.
STATIC_URL = "/static/"
STATIC_ROOT = Path(os.environ.get("STATIC_ROOT", BASE_DIR / "staticfiles"))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = Path(os.environ.get("MEDIA_ROOT", BASE_DIR / "media"))
# Photos of club posts and event albums: never served as static files, only through
# views that check access (community/private_media.py). With nginx, set
# PRIVATE_MEDIA_ACCEL_PREFIX to an `internal` location aliased to this folder.
PRIVATE_MEDIA_ROOT = Path(os.environ.get("PRIVATE_MEDIA_ROOT", BASE_DIR / "private_media"))
PRIVATE_MEDIA_ACCEL_PREFIX = os.environ.get("PRIVATE_MEDIA_ACCEL_PREFIX", "")
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}
# Uploads above this go to a temporary file rather than memory.
FILE_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
DATA_UPLOAD_MAX_MEMORY_SIZE = 5 * 1024 * 1024
# Image limits enforced before a full decode (community/imaging.py).
IMAGE_MAX_BYTES = int(os.environ.get("IMAGE_MAX_BYTES", 15 * 1024 * 1024))
IMAGE_MAX_PIXELS = int(os.environ.get("IMAGE_MAX_PIXELS", 40_000_000))
# Allow a review with several photos through the request-size guard; each photo is
# still checked on its own against IMAGE_MAX_BYTES.
DATA_UPLOAD_MAX_NUMBER_FILES = 12

# --- Wagtail.
WAGTAIL_SITE_NAME = "Goodword"
WAGTAILADMIN_BASE_URL = SITE_URL
WAGTAILSEARCH_BACKENDS = {"default": {"BACKEND": "wagtail.search.backends.database"}}
WAGTAILDOCS_EXTENSIONS = ["csv", "pdf", "txt", "xlsx"]

# --- Background work (django-tasks, brought by Wagtail): run at once unless configured.
TASKS = {"default": {"BACKEND": "django_tasks.backends.immediate.ImmediateBackend"}}

# --- Clubs: posts per page of a club feed (bench/club_feed.py sets 50: one page).
CLUB_FEED_PAGE_SIZE = int(os.environ.get("CLUB_FEED_PAGE_SIZE", 20))

# --- Rate limits on writes: "count/seconds" per member (community/ratelimit.py).
WRITE_RATE_LIMITS = {
    "review_write": (10, 60 * 60),
    "helpful_vote": (60, 60),
    "review_flag": (20, 60 * 60),
    "brand_reply": (60, 60 * 60),
    "profile_write": (30, 60 * 60),
    "club_join": (30, 60 * 60),
    "club_manage": (300, 60 * 60),
    "club_invite": (50, 60 * 60),
    "club_post": (20, 60 * 60),
    "club_comment": (60, 60 * 60),
    "club_like": (120, 60),
    "event_write": (30, 60 * 60),
    "event_rsvp": (30, 60 * 60),
    "event_checkin": (600, 60 * 60),
    "event_photo": (30, 60 * 60),
    "event_review": (10, 60 * 60),
    "chat_message": (30, 60),  # per member per room
    "chat_reaction": (60, 60),
    "chat_edit": (30, 60),
    "chat_moderate": (120, 60 * 60),
    "chat_direct_open": (30, 60 * 60),
    "expert_apply": (5, 60 * 60 * 24),
    "expert_review": (300, 60 * 60),
    "expert_challenge": (5, 60 * 60 * 24),
    "question_ask": (10, 60 * 60),
    "answer_write": (20, 60 * 60),
    "qa_comment": (60, 60 * 60),
    "qa_vote": (120, 60 * 60),
    "endorsement": (30, 60 * 60),
    "follow": (60, 60 * 60),
    "expert_profile": (30, 60 * 60),
}

# --- Chat (community/chat): limits of the live socket and its rooms.
CHAT_MAX_SOCKETS_PER_MEMBER = int(os.environ.get("CHAT_MAX_SOCKETS_PER_MEMBER", 8))
CHAT_MESSAGE_MAX_LENGTH = 4000
CHAT_MAX_FRAME_BYTES = 16 * 1024
CHAT_PRESENCE_TTL = 75  # seconds without a ping before a tab counts as gone
CHAT_CATCHUP_LIMIT = 500
CHAT_HISTORY_PAGE_SIZE = 50

# --- Security: safe by default, strict in production (manage.py check --deploy clean).
SESSION_COOKIE_HTTPONLY = True
CSRF_COOKIE_HTTPONLY = False
# Wagtail's live preview shows the page in a same-origin frame, so DENY would break it;
# SAMEORIGIN still blocks every other site from framing ours.
X_FRAME_OPTIONS = "SAMEORIGIN"
SILENCED_SYSTEM_CHECKS = ["security.W019"]
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
if not DEBUG:
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
    SECURE_SSL_REDIRECT = env_bool("SECURE_SSL_REDIRECT", True)
    SESSION_COOKIE_SECURE = True
    CSRF_COOKIE_SECURE = True
    SECURE_HSTS_SECONDS = int(os.environ.get("SECURE_HSTS_SECONDS", 60 * 60 * 24 * 30))
    SECURE_HSTS_INCLUDE_SUBDOMAINS = True
    SECURE_HSTS_PRELOAD = env_bool("SECURE_HSTS_PRELOAD", True)

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": os.environ.get("LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        "django_tasks": {"level": "WARNING"},  # one INFO line per Wagtail task otherwise
        # Engine clients log every request, and a traceback per failed connection; our
        # search code logs one warning when it falls back or queues instead.
        "opensearch": {"level": "ERROR"},
        "elastic_transport": {"level": "ERROR"},
    },
}

# --- Experts (experts/): certification and questions.
EXPERT_CERTIFICATE_DAYS = int(os.environ.get("EXPERT_CERTIFICATE_DAYS", 365))
EXPERT_EVIDENCE_MAX_BYTES = 10 * 1024 * 1024  # per file
EXPERT_EVIDENCE_MAX_FILES = 8  # per application or challenge

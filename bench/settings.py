"""Settings for benchmarks: the site's settings with DEBUG off, served on loopback.

Production-like where it matters for speed (no debug toolbar of errors, cached templates,
no SQL logging), without what needs a real deployment (a secret, TLS, a static manifest).
"""

import os

# community.settings refuses DEBUG off without a secret; a benchmark has nothing to protect.
os.environ.setdefault("DJANGO_SECRET_KEY", "bench-only")

from community.settings import *  # noqa: F403
from community.settings import STORAGES

DEBUG = False
SECRET_KEY = "bench-only"
ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
STORAGES = {
    **STORAGES,
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
SECURE_SSL_REDIRECT = False
SECURE_HSTS_SECONDS = 0
SESSION_COOKIE_SECURE = False
CSRF_COOKIE_SECURE = False

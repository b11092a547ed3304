"""The one settings module: everything that differs between machines comes from the environment.

Defaults are safe for development (`make run`); production sets DJANGO_DEBUG=0 and real values.
The README lists every variable.
"""

from pathlib import Path
from urllib.parse import urlsplit

import environ
from celery.schedules import crontab
from csp.constants import NONCE, NONE, SELF
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent

env = environ.Env()

DEBUG = env.bool("DJANGO_DEBUG", default=True)
SECRET_KEY = env.str(
    "DJANGO_SECRET_KEY",
    # Only ever used with DEBUG on: production refuses to start without a real key below.
    default="django-insecure-development-only-key-never-use-in-production",
)
if not DEBUG and SECRET_KEY.startswith("django-insecure"):
    raise environ.ImproperlyConfigured("Set DJANGO_SECRET_KEY when DJANGO_DEBUG=0.")

ALLOWED_HOSTS = env.list("DJANGO_ALLOWED_HOSTS", default=["127.0.0.1", "localhost", "[::1]"])
CSRF_TRUSTED_ORIGINS = env.list("DJANGO_CSRF_TRUSTED_ORIGINS", default=[])
# A form sent without its token: the portal's 403 page, saying to reload the form (core.errors).
CSRF_FAILURE_VIEW = "core.errors.csrf_failure"

INSTALLED_APPS = [
    "portal.apps.PortalAdminConfig",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.sites",
    "django.contrib.sitemaps",
    "allauth",
    "allauth.account",
    "allauth.mfa",
    "crispy_forms",
    "crispy_bootstrap5",
    "django_countries",
    "csp",
    # Our apps, lowest layer first: each imports only those above it in this list (`make lint`
    # holds that). It is also the order in which `load_content` loads their content: sites link
    # to the library's studies, forums to the sites.
    "outbox",
    "core",
    "thesaurus",
    "audit",
    "notices",
    "accounts",
    "publications",
    "sites",
    "forums",
    # Open data for others (issue 18): three independent apps that only read the ones above.
    "api",
    "oai",
    "opendata",
    "newsletter",
    "portal",
]

MIDDLEWARE = [
    "core.health.HealthCheckMiddleware",
    # Visitors' pages from the cache, before anything else is spent on them (see the module).
    # What it keeps holds the headers of every middleware below it: the security headers too.
    "core.pagecache.VisitorPageCacheMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "django_permissions_policy.PermissionsPolicyMiddleware",
    "core.bad_requests.NulBytesMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # After whitenoise, which answers static files itself; compresses pages (see the module).
    "core.compression.PageCompressionMiddleware",
    "csp.middleware.CSPMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    # Django's LocaleMiddleware: the address says the language (/en/…, /fr/…); an old address
    # without one redirects permanently to the reader's language (core/addresses.py).
    "core.addresses.LanguageAddressMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # A signed-in person's time zone, UTC for visitors (accounts/middleware.py).
    "accounts.middleware.TimeZoneMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "allauth.account.middleware.AccountMiddleware",
    # Signed-in readers' shared pages, in place of the view (see the module): needs all above.
    "core.memberpages.MemberPageCacheMiddleware",
]

ROOT_URLCONF = "asmpace.urls"
WSGI_APPLICATION = "asmpace.wsgi.application"
SITE_ID = 1
# The host name that emails and links name; the admin can change it under Sites.
SITE_DOMAIN = env.str("DJANGO_SITE_DOMAIN", default="127.0.0.1:8000")

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
                "csp.context_processors.nonce",
                "portal.context_processors.site_navigation",
                "core.memberpages.csrf_hole",
            ],
        },
    },
]

# Database: a SQLite file unless DATABASE_URL names another (PostgreSQL in production and CI).
DATABASES = {"default": env.db("DATABASE_URL", default=f"sqlite:///{BASE_DIR / 'db.sqlite3'}")}
if DATABASES["default"]["ENGINE"] == "django.db.backends.postgresql":
    # Django's, refusing at once for a moment after the database did not answer (core/postgresql).
    DATABASES["default"]["ENGINE"] = "core.postgresql"
    # Django's own psycopg pool replaces persistent connections, so CONN_MAX_AGE stays 0.
    DATABASES["default"]["CONN_MAX_AGE"] = 0
    DATABASES["default"].setdefault("OPTIONS", {})["pool"] = {
        "min_size": env.int("DATABASE_POOL_MIN", default=1),
        "max_size": env.int("DATABASE_POOL_MAX", default=10),
        # Seconds a request waits for a connection before failing (and /healthz says 503).
        "timeout": env.float("DATABASE_POOL_TIMEOUT", default=3),
    }
    # The portal's data fits in memory, where reading a row by its index costs about what a
    # sequential read does. PostgreSQL's default of 4 (for spinning disks) had it hash whole
    # tables of threads and people to read the 20 posts of a search's page: 1.7 ms, not 0.7.
    DATABASES["default"]["OPTIONS"]["options"] = " ".join(
        filter(
            None,
            [
                DATABASES["default"]["OPTIONS"].get("options", ""),
                "-c random_page_cost=" + env.str("DATABASE_RANDOM_PAGE_COST", default="1.1"),
            ],
        )
    )
DATABASES["default"]["CONN_HEALTH_CHECKS"] = True
# Read replicas (core/replicas.py): DATABASE_REPLICA_URLS, comma-separated, names PostgreSQL
# streaming replicas of DATABASE_URL. Requests read from a healthy one, write to the primary;
# someone who has just written reads the primary for REPLICA_PIN_SECONDS; a replica that does not
# answer, or whose lag exceeds REPLICA_MAX_LAG_SECONDS, is left aside (looked at again every
# REPLICA_CHECK_SECONDS per process). Without replicas there is no router and nothing changes.
DATABASE_REPLICAS = []
for number, url in enumerate(env.list("DATABASE_REPLICA_URLS", default=[]), start=1):
    replica = {**env.db_url_config(url), "TEST": {"MIRROR": "default"}}
    if replica["ENGINE"] == "django.db.backends.postgresql":
        replica["ENGINE"] = DATABASES["default"]["ENGINE"]
        replica["CONN_MAX_AGE"] = DATABASES["default"].get("CONN_MAX_AGE", 0)
        replica["OPTIONS"] = {
            **DATABASES["default"].get("OPTIONS", {}),
            **replica.get("OPTIONS", {}),
        }
        if "pool" in replica["OPTIONS"]:
            # A replica that stopped is left aside after at most this wait, not the primary's.
            replica["OPTIONS"]["pool"] = {
                **replica["OPTIONS"]["pool"],
                "timeout": env.float("DATABASE_REPLICA_POOL_TIMEOUT", default=1),
            }
    replica["CONN_HEALTH_CHECKS"] = True
    DATABASES[f"replica{number}"] = replica
    DATABASE_REPLICAS.append(f"replica{number}")
REPLICA_PIN_SECONDS = env.float("REPLICA_PIN_SECONDS", default=5)
REPLICA_MAX_LAG_SECONDS = env.float("REPLICA_MAX_LAG_SECONDS", default=10)
REPLICA_CHECK_SECONDS = env.float("REPLICA_CHECK_SECONDS", default=2)
# Writes of a page being read that pin no one to the primary (a member's read marks).
REPLICA_UNPINNED_MODELS = ["forums.ReadMark"]
if DATABASE_REPLICAS:
    DATABASE_ROUTERS = ["core.replicas.ReplicaRouter"]
    # Before anything reads: the sessions and the signed-in person are read from the replica.
    MIDDLEWARE.insert(
        MIDDLEWARE.index("django.contrib.sessions.middleware.SessionMiddleware"),
        "core.replicas.ReplicaMiddleware",
    )
DATABASE_RETRY_SECONDS = env.float("DATABASE_RETRY_SECONDS", default=2)
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

# Cache: Redis when REDIS_URL is set, so that allauth's rate limits are shared between processes.
REDIS_URL = env.str("REDIS_URL", default="")
# A Redis that hangs must not hang pages: past this many seconds the page cache gives up and
# the page is made as usual.
# A Redis that did not answer is asked again after this many seconds (core/cache.py).
REDIS_RETRY_SECONDS = env.float("REDIS_RETRY_SECONDS", default=2)
REDIS_OPTIONS = {
    "socket_connect_timeout": env.float("REDIS_TIMEOUT", default=0.5),
    "socket_timeout": env.float("REDIS_TIMEOUT", default=0.5),
}
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "core.cache.SharedClientRedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "asmpace",
            "OPTIONS": REDIS_OPTIONS,
        }
    }
else:
    CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
# With a shared cache, a signed-in request reads its session from Redis instead of the database
# (written to both; with Redis away the database alone answers: core/sessions.py).
if REDIS_URL:
    SESSION_ENGINE = "core.sessions"

# How long a visitor's page (or a post's HTML) is kept, in seconds; 0 turns the page cache off.
# Pages never go stale within that time: any write that changes them makes them anew
# (core/pagecache.py), which needs a cache that every process shares, so it is off without Redis.
PAGE_CACHE_SECONDS = env.int("PAGE_CACHE_SECONDS", default=24 * 3600 if REDIS_URL else 0)

# Background work: eager (inline) unless a broker is configured.
CELERY_BROKER_URL = env.str("CELERY_BROKER_URL", default="") or "memory://"
CELERY_TASK_ALWAYS_EAGER = CELERY_BROKER_URL == "memory://"
CELERY_TASK_EAGER_PROPAGATES = True
CELERY_RESULT_BACKEND = env.str("CELERY_RESULT_BACKEND", default="") or None
CELERY_TASK_ACKS_LATE = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
# Celery closes a prefork worker's database pool around every task (a new connection each
# time); this many tasks share one instead.
CELERY_DB_REUSE_MAX = 100
# Publishing gives up at once on a broker that is away (kombu's default retries for 6 s): the
# outbox's relay tries again, and no request waits for it. Workers reconnect on their own.
CELERY_BROKER_TRANSPORT_OPTIONS = {"max_retries": 0, "socket_connect_timeout": 1}
# The outbox (outbox/): beat's relay hands waiting entries to the workers every
# OUTBOX_RELAY_SECONDS; an entry handed over but not done after OUTBOX_REDELIVER_SECONDS is handed
# over again (its task was lost: a broker restarted empty, a worker killed); a job that keeps
# failing is given up after OUTBOX_MAX_ATTEMPTS (about a day of retries) and shown in the admin.
# /healthz says "degraded" when the oldest waiting entry is older than OUTBOX_LATE_SECONDS (no
# worker is taking them).
OUTBOX_RELAY_SECONDS = env.int("OUTBOX_RELAY_SECONDS", default=10)
OUTBOX_REDELIVER_SECONDS = env.int("OUTBOX_REDELIVER_SECONDS", default=5 * 60)
OUTBOX_RELAY_BATCH = 500
OUTBOX_MAX_ATTEMPTS = 30
OUTBOX_LATE_SECONDS = env.int("OUTBOX_LATE_SECONDS", default=10 * 60)
OUTBOX_KEEP_DAYS = 7
# Run by `celery -A asmpace beat` (docker-compose's beat service); times are in UTC. Each task
# does its work once per period however many beats send it (a lock in Redis: outbox.periodic).
CELERY_BEAT_SCHEDULE = {
    "outbox-relay": {"task": "outbox.tasks.relay", "schedule": float(OUTBOX_RELAY_SECONDS)},
    "forums-daily-digests": {
        "task": "forums.tasks.send_daily_digests",
        "schedule": crontab(hour=6, minute=0),
    },
    "newsletter-due-issues": {
        "task": "newsletter.tasks.start_due_issues",
        "schedule": crontab(minute="*"),
    },
    "newsletter-weekly-alerts": {
        "task": "newsletter.tasks.start_weekly_alerts",
        "schedule": crontab(day_of_week="mon", hour=6, minute=0),
    },
    "opendata-daily-build": {
        "task": "opendata.tasks.daily_build",
        "schedule": crontab(hour=2, minute=30),
    },
}
# The open-data dump (opendata/) is built daily, and this many seconds after a change to what it
# holds (one build for all the changes meanwhile). Not after changes when Celery is eager: the
# build would run in the request that saved (`manage.py build_open_data` builds it then).
OPENDATA_BUILD_DELAY_SECONDS = env.int("OPENDATA_BUILD_DELAY_SECONDS", default=5 * 60)
OPENDATA_BUILD_AFTER_CHANGES = not CELERY_TASK_ALWAYS_EAGER
# The API (api.guard): requests per client address in each window of seconds; 0 is no limit.
API_RATE_LIMIT = env.int("API_RATE_LIMIT", default=600)
API_RATE_WINDOW = env.int("API_RATE_WINDOW", default=60)
# The newsletter's subscribe form (newsletter.limits): subscriptions per client address per hour.
NEWSLETTER_SUBSCRIBE_LIMIT = env.int("NEWSLETTER_SUBSCRIBE_LIMIT", default=10)

# Email: the console in development, any backend through EMAIL_URL (smtp+tls://user:pw@host:587).
_email = env.email_url("EMAIL_URL", default="consolemail://")
EMAIL_BACKEND = _email["EMAIL_BACKEND"]
for _key, _value in _email.items():
    if _key != "EMAIL_BACKEND":
        globals()[_key] = _value
DEFAULT_FROM_EMAIL = env.str("DEFAULT_FROM_EMAIL", default="ASM-PACE portal <noreply@localhost>")
SERVER_EMAIL = DEFAULT_FROM_EMAIL

# Accounts
AUTH_USER_MODEL = "accounts.User"
# Django's and allauth's, reading a signed-in person's account from the cache (accounts.backends).
AUTHENTICATION_BACKENDS = [
    "accounts.backends.ModelBackend",
    "accounts.backends.AuthenticationBackend",
]
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
LOGIN_URL = "account_login"
LOGIN_REDIRECT_URL = "accounts:profile_edit"
# The home page in the language of the page signed out from (not "/", which redirects again).
LOGOUT_REDIRECT_URL = "portal:home"
ACCOUNT_ADAPTER = "accounts.adapter.AccountAdapter"
ACCOUNT_USER_DISPLAY = "accounts.adapter.user_display"
ACCOUNT_FORMS = {"signup": "accounts.forms.StakeholderSignupForm"}
ACCOUNT_USER_MODEL_USERNAME_FIELD = None
ACCOUNT_LOGIN_METHODS = {"email"}
ACCOUNT_SIGNUP_FIELDS = ["email*", "password1*", "password2*"]
ACCOUNT_EMAIL_VERIFICATION = "mandatory"
ACCOUNT_UNIQUE_EMAIL = True
ACCOUNT_PREVENT_ENUMERATION = True
ACCOUNT_LOGIN_ON_EMAIL_CONFIRMATION = True
ACCOUNT_CONFIRM_EMAIL_ON_GET = False
ACCOUNT_EMAIL_SUBJECT_PREFIX = "[ASM-PACE] "
ACCOUNT_SIGNUP_FORM_HONEYPOT_FIELD = "website"
ACCOUNT_DEFAULT_HTTP_PROTOCOL = "http" if DEBUG else "https"
ACCOUNT_LOGOUT_ON_PASSWORD_CHANGE = False
ACCOUNT_SESSION_REMEMBER = None
MFA_SUPPORTED_TYPES = ["totp", "recovery_codes"]
MFA_TOTP_ISSUER = "ASM-PACE portal"

CRISPY_ALLOWED_TEMPLATE_PACKS = "bootstrap5"
CRISPY_TEMPLATE_PACK = "bootstrap5"

# Languages
LANGUAGE_CODE = "en"
LANGUAGES = [("en", _("English")), ("fr", _("French"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"
TIME_ZONE = "UTC"
# English dates are British (asmpace/formats/en); French keeps Django's fr formats.
FORMAT_MODULE_PATH = ["asmpace.formats"]
# The programme's countries (DR Congo, Madagascar, Sierra Leone, Liberia) head every list of
# countries, in this order; names are django-countries' own (no override: they read right).
COUNTRIES_FIRST = ["CD", "MG", "SL", "LR"]
USE_I18N = True
USE_TZ = True

# Static files: hashed, compressed and served by whitenoise, with far-future caching.
STATIC_URL = "/static/"
STATIC_ROOT = env.path("DJANGO_STATIC_ROOT", default=BASE_DIR / "staticfiles")
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = "/media/"
MEDIA_ROOT = env.path("DJANGO_MEDIA_ROOT", default=BASE_DIR / "media")
# Uploads in an S3-compatible bucket, e.g.
# s3://asmpace-media?endpoint_url=http://127.0.0.1:9000&region=us-east-1 (credentials from
# AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY, or s3://KEY:SECRET@bucket). Unset: MEDIA_ROOT.
MEDIA_STORAGE_URL = env.str("MEDIA_STORAGE_URL", default="")
MEDIA_BUCKET = None
if MEDIA_STORAGE_URL:
    from core.storage import bucket_options  # boto3 is imported only when a bucket is used

    MEDIA_BUCKET = bucket_options(MEDIA_STORAGE_URL)
# How long the signed address a download is redirected to stays valid, in seconds.
MEDIA_SIGNED_URL_SECONDS = env.int("MEDIA_SIGNED_URL_SECONDS", default=60)
STORAGES = {
    "default": {"BACKEND": "core.storage.BucketStorage", "OPTIONS": MEDIA_BUCKET}
    if MEDIA_BUCKET
    else {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {
        "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"
        if DEBUG
        else "whitenoise.storage.CompressedManifestStaticFilesStorage"
    },
}

# The library. Studies are served by a view that checks publication first, never from MEDIA_URL.
PUBLICATION_MAX_UPLOAD_BYTES = env.int("PUBLICATION_MAX_UPLOAD_MB", default=100) * 1024 * 1024
# Behind nginx, e.g. "/protected-media/" (an `internal` location aliasing MEDIA_ROOT): Django
# checks and counts, nginx sends the bytes. Empty: Django streams the file itself.
PUBLICATION_ACCEL_REDIRECT = env.str("PUBLICATION_ACCEL_REDIRECT", default="")
# A second download of a study by the same visitor within this many seconds is not counted.
PUBLICATION_REPEAT_WINDOW = env.int("PUBLICATION_REPEAT_WINDOW", default=30 * 60)

# The sites map draws country outlines from static/ and needs no other host. An online tile
# layer may be added, e.g. "https://tile.openstreetmap.org/{z}/{x}/{y}.png" with its attribution;
# the Content-Security-Policy then allows images from that host.
SITES_MAP_TILES = env.str("SITES_MAP_TILES", default="")
SITES_MAP_ATTRIBUTION = env.str("SITES_MAP_ATTRIBUTION", default="")

# The dialogue. Limits against abuse; a post over them is refused with a message that says why.
FORUM_POST_MAX_LENGTH = env.int("FORUM_POST_MAX_LENGTH", default=20_000)
FORUM_SECONDS_BETWEEN_POSTS = env.int("FORUM_SECONDS_BETWEEN_POSTS", default=15)
FORUM_NEW_ACCOUNT_HOURS = 24
FORUM_NEW_ACCOUNT_POSTS_PER_HOUR = env.int("FORUM_NEW_ACCOUNT_POSTS_PER_HOUR", default=5)
FORUM_NEW_ACCOUNT_MAX_LINKS = env.int("FORUM_NEW_ACCOUNT_MAX_LINKS", default=2)
FORUM_DUPLICATE_WINDOW = 5 * 60
# Posts of unverified people wait for a moderator until this many of theirs are approved.
FORUM_TRUSTED_AFTER_POSTS = env.int("FORUM_TRUSTED_AFTER_POSTS", default=2)
# A moderator gets at most one email about posts waiting, per this many seconds.
FORUM_MODERATOR_EMAIL_INTERVAL = 15 * 60
# Flags from this many different readers hide a post until a moderator decides.
FORUM_FLAGS_TO_HIDE = env.int("FORUM_FLAGS_TO_HIDE", default=3)
# People a post's @mentions tell, at most: more are linked, not told.
FORUM_MENTIONS_PER_POST = env.int("FORUM_MENTIONS_PER_POST", default=5)
FORUM_THREADS_PER_PAGE = 25
FORUM_POSTS_PER_PAGE = 20

# Security. Production defaults are strict; a TLS-terminating proxy sets the forwarded header.
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "strict-origin-when-cross-origin"
SECURE_CROSS_ORIGIN_OPENER_POLICY = "same-origin"
# The browser features no page of the portal uses, denied to every page and anything it embeds.
PERMISSIONS_POLICY = {
    feature: []
    for feature in (
        "accelerometer",
        "autoplay",
        "browsing-topics",
        "camera",
        "display-capture",
        "encrypted-media",
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
X_FRAME_OPTIONS = "DENY"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SECURE_SSL_REDIRECT = env.bool("DJANGO_SECURE_SSL_REDIRECT", default=not DEBUG)
SECURE_HSTS_SECONDS = env.int("DJANGO_SECURE_HSTS_SECONDS", default=0 if DEBUG else 31_536_000)
SECURE_HSTS_INCLUDE_SUBDOMAINS = env.bool("DJANGO_SECURE_HSTS_INCLUDE_SUBDOMAINS", default=True)
SECURE_HSTS_PRELOAD = env.bool("DJANGO_SECURE_HSTS_PRELOAD", default=True)
SESSION_COOKIE_SECURE = not DEBUG
CSRF_COOKIE_SECURE = not DEBUG
LANGUAGE_COOKIE_SECURE = not DEBUG
if env.bool("DJANGO_BEHIND_TLS_PROXY", default=False):
    SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
# How many proxies in front append to X-Forwarded-For. The client's address then comes from that
# header, for rate limits and for counting a download once per visitor; 0 trusts REMOTE_ADDR.
ALLAUTH_TRUSTED_PROXY_COUNT = env.int("DJANGO_TRUSTED_PROXY_COUNT", default=0)


def tile_hosts(template):
    """The origin of a tile URL template, for img-src; a {s} subdomain becomes a wildcard."""
    if not template:
        return []
    origin = urlsplit(template.replace("{s}.", "*."))
    return [f"{origin.scheme}://{origin.netloc}"]


CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF, NONCE],
        "style-src": [SELF],
        # Bootstrap draws form controls with data: SVGs; allauth.mfa shows the TOTP QR code so.
        "img-src": [SELF, "data:", *tile_hosts(SITES_MAP_TILES)],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}

LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"without_refusals": {"()": "core.postgresql.base.WithoutRefusals"}},
    "handlers": {"console": {"class": "logging.StreamHandler"}},
    "root": {"handlers": ["console"], "level": env.str("DJANGO_LOG_LEVEL", default="INFO")},
    "loggers": {
        # Pages refused while the database is away: its outage is logged once instead.
        "django.request": {"filters": ["without_refusals"]},
        # The in-memory broker of eager mode has no host, and kombu says so on every task.
        "kombu.connection": {"level": "ERROR"},
        # A worker logs each task it ran; inline (eager) tasks would fill `make run`'s console.
        "celery.app.trace": {"level": "WARNING" if CELERY_TASK_ALWAYS_EAGER else "INFO"},
    },
}

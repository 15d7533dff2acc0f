"""Settings for Một Cửa, read only from the environment.

With nothing set, the portal runs in its *embedded* mode: SQLite, an in-memory
cache and Celery on kombu's filesystem transport (no Redis needed). Set
DATABASE_URL, CELERY_BROKER_URL and REDIS_URL to run on PostgreSQL and Redis.
"""

import os
from datetime import timedelta
from pathlib import Path

import dj_database_url
from celery.schedules import crontab
from django.utils.translation import gettext_lazy as _

BASE_DIR = Path(__file__).resolve().parent.parent
VAR_DIR = Path(os.environ.get("PORTAL_VAR_DIR", BASE_DIR / "var"))


def env_bool(name: str, default: bool = False) -> bool:
    return os.environ.get(name, str(default)).strip().lower() in {"1", "true", "yes", "on"}


def env_list(name: str, default: str = "") -> list[str]:
    return [item.strip() for item in os.environ.get(name, default).split(",") if item.strip()]


DEBUG = env_bool("DJANGO_DEBUG", False)
SECRET_KEY = os.environ.get("DJANGO_SECRET_KEY", "embedded-mode-insecure-key-change-me-" + "x" * 24)
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", "127.0.0.1,localhost,testserver")
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS")
CSRF_FAILURE_VIEW = "portal.views_errors.csrf_failure"  # Vietnamese, with a way back

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "import_export",
    "ninja",  # the API docs from its static files, not from a CDN (no network at run time; CSP)
    "axes",
    "csp",
    "portal",
    "dossiers",
    "feedback",
    "integrations",
    "edocs",
    "payments",
    "citizens",
]

MIDDLEWARE = [
    "portal.observability.RequestIdMiddleware",
    "portal.observability.RejectNulMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "portal.security.StaffIdleTimeoutMiddleware",
    "portal.security.LoginThrottleMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    "portal.observability.ServiceUnavailableMiddleware",
    "axes.middleware.AxesMiddleware",  # last, as django-axes asks: it turns a lockout into its response
]

ROOT_URLCONF = "portal.urls"
WSGI_APPLICATION = "portal.wsgi.application"

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
            ],
        },
    },
]

DATABASE_URL = os.environ.get("DATABASE_URL", "")
EMBEDDED_DATABASE = not DATABASE_URL
DATABASES = {
    "default": dj_database_url.parse(
        DATABASE_URL or f"sqlite:///{VAR_DIR / 'portal.sqlite3'}",
        conn_max_age=int(os.environ.get("DJANGO_CONN_MAX_AGE", "0")),
    )
}
if DATABASES["default"]["ENGINE"] == "django.db.backends.sqlite3":
    # Several processes (web, worker, beat) share the file: wait instead of failing.
    DATABASES["default"]["OPTIONS"] = {"timeout": 20, "transaction_mode": "IMMEDIATE"}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

REDIS_URL = os.environ.get("REDIS_URL", "")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "portal.cache.ResilientRedisCache",
            "LOCATION": REDIS_URL,
            "OPTIONS": {"socket_connect_timeout": 1, "socket_timeout": 1},
        }
    }
else:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# django-axes first: it refuses a locked-out login before the password is even checked.
AUTHENTICATION_BACKENDS = ["axes.backends.AxesStandaloneBackend", "django.contrib.auth.backends.ModelBackend"]

# Login lockout (django-axes, staff and admin login alike): an account is locked for
# AXES_COOLOFF_TIME after AXES_FAILURE_LIMIT failed attempts from anywhere, and a success resets
# its count; per address, logins are also throttled (PORTAL_LOGIN_RATE, portal.security).
AXES_FAILURE_LIMIT = int(os.environ.get("PORTAL_LOGIN_FAILURE_LIMIT", "5"))
AXES_COOLOFF_TIME = timedelta(minutes=int(os.environ.get("PORTAL_LOGIN_LOCKOUT_MINUTES", "15")))
AXES_LOCKOUT_PARAMETERS = ["username"]
# axes.W006 wants the address among the lockout parameters, against attackers rotating user agents.
# We lock the account itself (no rotation helps), and a per-address lockout would lock a whole office
# behind one NAT address out after five typos: addresses are throttled instead (PORTAL_LOGIN_RATE).
SILENCED_SYSTEM_CHECKS = ["axes.W006"]
AXES_RESET_ON_SUCCESS = True
AXES_CLIENT_IP_CALLABLE = "portal.security.login_client_ip"
AXES_LOCKOUT_CALLABLE = "portal.security.login_locked_out"
AXES_VERBOSE = False
PORTAL_LOGIN_RATE = os.environ.get("PORTAL_LOGIN_RATE", "20/m")

# Staff sessions end after this long without a request (default 30 min), and after 12 hours whatever.
PORTAL_STAFF_IDLE_MINUTES = int(os.environ.get("PORTAL_STAFF_IDLE_MINUTES", "30"))
SESSION_COOKIE_AGE = int(os.environ.get("DJANGO_SESSION_HOURS", "12")) * 3600
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"

# Content-Security-Policy (django-csp): scripts and styles only from our own static files, no inline
# script, style or event handler anywhere (templates/ has none; the admin and the API docs neither).
CONTENT_SECURITY_POLICY = {
    "DIRECTIVES": {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "font-src": ["'self'"],
        "connect-src": ["'self'"],
        "object-src": ["'none'"],
        "base-uri": ["'self'"],
        "form-action": ["'self'"],
        "frame-ancestors": ["'none'"],
    }
}
LOGIN_URL = "login"
LOGIN_REDIRECT_URL = "staff:home"
LOGOUT_REDIRECT_URL = "home"

# Vietnamese first, English available (?lang / Accept-Language).
LANGUAGE_CODE = "vi"
LANGUAGES = [("vi", _("Tiếng Việt")), ("en", _("English"))]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = "Asia/Ho_Chi_Minh"
USE_I18N = True
USE_TZ = True
USE_THOUSAND_SEPARATOR = False
DATE_INPUT_FORMATS = ["%d/%m/%Y", "%Y-%m-%d"]
DATETIME_INPUT_FORMATS = ["%d/%m/%Y %H:%M", "%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M:%S", "%Y-%m-%d %H:%M"]

STATIC_URL = "static/"
STATIC_ROOT = VAR_DIR / "static"
MEDIA_URL = "media/"
MEDIA_ROOT = Path(os.environ.get("DJANGO_MEDIA_ROOT", VAR_DIR / "media"))
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "whitenoise.storage.CompressedStaticFilesStorage"},
}
WHITENOISE_USE_FINDERS = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 12 * 1024 * 1024
FILE_UPLOAD_MAX_MEMORY_SIZE = 2 * 1024 * 1024

EMAIL_BACKEND = os.environ.get("DJANGO_EMAIL_BACKEND", "django.core.mail.backends.console.EmailBackend")
DEFAULT_FROM_EMAIL = os.environ.get("DJANGO_DEFAULT_FROM_EMAIL", "motcua@localhost")
SMS_BACKEND = os.environ.get("PORTAL_SMS_BACKEND", "dossiers.services.notify.LoggingSmsBackend")

# Celery: Redis in production, kombu's filesystem transport in the embedded mode.
CELERY_BROKER_URL = os.environ.get("CELERY_BROKER_URL", "filesystem://")
EMBEDDED_BROKER = CELERY_BROKER_URL.startswith("filesystem://")
CELERY_BROKER_TRANSPORT_OPTIONS = (
    {
        "data_folder_in": str(VAR_DIR / "broker"),
        "data_folder_out": str(VAR_DIR / "broker"),
        "processed_folder": str(VAR_DIR / "broker-processed"),
        "control_folder": str(VAR_DIR / "broker-control"),
        "store_processed": False,
    }
    if EMBEDDED_BROKER
    else None
) or {}
# Publishing from a request must not hang when Redis is down: fail fast, and the
# outbox's periodic flush sends the message once the broker is back.
REDIS_TRANSPORT_OPTIONS: dict[str, object] = {
    "visibility_timeout": 3600,
    "max_retries": 1,
    "interval_start": 0,
    "interval_step": 0.2,
    "interval_max": 0.5,
}
if not EMBEDDED_BROKER:
    CELERY_BROKER_TRANSPORT_OPTIONS = REDIS_TRANSPORT_OPTIONS
if EMBEDDED_BROKER:
    for _folder in ("broker", "broker-processed", "broker-control"):
        (VAR_DIR / _folder).mkdir(parents=True, exist_ok=True)
CELERY_TASK_IGNORE_RESULT = True
CELERY_TASK_ACKS_LATE = True
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_ALWAYS_EAGER = env_bool("CELERY_TASK_ALWAYS_EAGER", False)
CELERY_TIMEZONE = TIME_ZONE
CELERY_BEAT_SCHEDULE_FILENAME = str(VAR_DIR / "celerybeat-schedule")
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True

# Domain settings (ours, configurable; see shared/docs/domain.md).
PORTAL_PUBLIC_BASE_URL = os.environ.get("PORTAL_PUBLIC_BASE_URL", "http://127.0.0.1:8000")
PORTAL_SAME_DAY_CUTOFF = os.environ.get("PORTAL_SAME_DAY_CUTOFF", "15:00")
PORTAL_DUE_SOON_WORKING_DAYS = int(os.environ.get("PORTAL_DUE_SOON_WORKING_DAYS", "2"))
PORTAL_MAX_UPLOAD_BYTES = int(os.environ.get("PORTAL_MAX_UPLOAD_BYTES", str(10 * 1024 * 1024)))
PORTAL_LOOKUP_RATE = os.environ.get("PORTAL_LOOKUP_RATE", "20/m")
PORTAL_LOOKUP_CODE_RATE = os.environ.get("PORTAL_LOOKUP_CODE_RATE", "10/m")
# The reverse proxies (addresses or networks) whose X-Forwarded-For is believed; none: REMOTE_ADDR.
PORTAL_TRUSTED_PROXIES = env_list("PORTAL_TRUSTED_PROXIES")
# A notification's send task runs this long after the commit that kicked it, so one task carries a burst.
PORTAL_OUTBOX_BATCH_SECONDS = float(os.environ.get("PORTAL_OUTBOX_BATCH_SECONDS", "1"))
# New appointments (Mẫu 04) a dossier may get: once by default (Decree 107/2021 amending Decree 61/2018 art. 19).
PORTAL_MAX_EXTENSIONS = int(os.environ.get("PORTAL_MAX_EXTENSIONS", "1"))
# The role of the head who signs an apology for the unit at fault.
PORTAL_APOLOGY_SIGNER_ROLE = os.environ.get("PORTAL_APOLOGY_SIGNER_ROLE", "unit_leader")
# An apology's new appointment: at most this many working days after the current one (form and API).
PORTAL_MAX_EXTENSION_DAYS = int(os.environ.get("PORTAL_MAX_EXTENSION_DAYS", "60"))
# The first day dossiers may be received on (back-dated receipts), for units without Unit.go_live.
PORTAL_GO_LIVE = os.environ.get("PORTAL_GO_LIVE", "2000-01-01")

# National public service portal sync (docs/integrations.md): off while the URL is unset.
PORTAL_NATIONAL_SYNC_URL = os.environ.get("PORTAL_NATIONAL_SYNC_URL", "")
PORTAL_NATIONAL_SYNC_TOKEN = os.environ.get("PORTAL_NATIONAL_SYNC_TOKEN", "")
PORTAL_NATIONAL_SYNC_HMAC_SECRET = os.environ.get("PORTAL_NATIONAL_SYNC_HMAC_SECRET", "")
PORTAL_NATIONAL_SYNC_TIMEOUT_SECONDS = float(os.environ.get("PORTAL_NATIONAL_SYNC_TIMEOUT_SECONDS", "10"))
PORTAL_NATIONAL_SYNC_MAX_ATTEMPTS = int(os.environ.get("PORTAL_NATIONAL_SYNC_MAX_ATTEMPTS", "10"))
PORTAL_NATIONAL_SYNC_BACKOFF_SECONDS = int(os.environ.get("PORTAL_NATIONAL_SYNC_BACKOFF_SECONDS", "60"))
PORTAL_NATIONAL_SYNC_BACKOFF_MAX_SECONDS = int(os.environ.get("PORTAL_NATIONAL_SYNC_BACKOFF_MAX_SECONDS", "21600"))
# The token the portal presents when it pushes online dossiers to us; none is accepted while unset.
PORTAL_NATIONAL_INBOUND_TOKEN = os.environ.get("PORTAL_NATIONAL_INBOUND_TOKEN", "")

# Signed electronic documents (edocs): off unless switched on; the units' certificates are managed
# in the admin and kept, with the signed files, under PORTAL_SIGNING_DIR (never served as media).
PORTAL_SIGNING_ENABLED = env_bool("PORTAL_SIGNING_ENABLED", False)
PORTAL_SIGNING_DIR = Path(os.environ.get("PORTAL_SIGNING_DIR", VAR_DIR / "signing"))
PORTAL_SIGNING_TRUST_ROOTS = os.environ.get("PORTAL_SIGNING_TRUST_ROOTS", "")  # PEM bundle; else the units' CAs
PORTAL_TSA_URL = os.environ.get("PORTAL_TSA_URL", "")  # RFC 3161 time stamps (PAdES B-T); empty: B-B
PORTAL_PDF_FONT_DIR = os.environ.get("PORTAL_PDF_FONT_DIR", "/usr/share/fonts/truetype/dejavu")

# Online payment (payments): VNPay is on when both its terminal code and its secret are set.
PORTAL_VNPAY_TMN_CODE = os.environ.get("PORTAL_VNPAY_TMN_CODE", "")
PORTAL_VNPAY_HASH_SECRET = os.environ.get("PORTAL_VNPAY_HASH_SECRET", "")
PORTAL_VNPAY_URL = os.environ.get("PORTAL_VNPAY_URL", "https://sandbox.vnpayment.vn/paymentv2/vpcpay.html")
PORTAL_VNPAY_API_URL = os.environ.get(
    "PORTAL_VNPAY_API_URL", "https://sandbox.vnpayment.vn/merchant_webapi/api/transaction"
)
PORTAL_VNPAY_EXPIRE_MINUTES = int(os.environ.get("PORTAL_VNPAY_EXPIRE_MINUTES", "15"))
PORTAL_VNPAY_TIMEOUT = float(os.environ.get("PORTAL_VNPAY_TIMEOUT", "10"))
# Citizen login with the electronic identity (VNeID through the national login), OpenID Connect:
# off while the issuer or the client id is unset (README, "Citizen login").
PORTAL_OIDC_ISSUER = os.environ.get("PORTAL_OIDC_ISSUER", "").rstrip("/")
PORTAL_OIDC_CLIENT_ID = os.environ.get("PORTAL_OIDC_CLIENT_ID", "")
PORTAL_OIDC_CLIENT_SECRET = os.environ.get("PORTAL_OIDC_CLIENT_SECRET", "")
PORTAL_OIDC_SCOPES = os.environ.get("PORTAL_OIDC_SCOPES", "openid profile email phone")
# The claim carrying the personal identification number (số định danh cá nhân), and the claim and
# values by which the provider says it verified that number; an unverified number is never used.
PORTAL_OIDC_ID_NUMBER_CLAIM = os.environ.get("PORTAL_OIDC_ID_NUMBER_CLAIM", "so_dinh_danh")
PORTAL_OIDC_ID_VERIFIED_CLAIM = os.environ.get("PORTAL_OIDC_ID_VERIFIED_CLAIM", "so_dinh_danh_verified")
PORTAL_OIDC_ID_VERIFIED_VALUES = env_list("PORTAL_OIDC_ID_VERIFIED_VALUES", "true")
PORTAL_OIDC_TIMEOUT_SECONDS = float(os.environ.get("PORTAL_OIDC_TIMEOUT_SECONDS", "5"))
PORTAL_OIDC_SESSION_SECONDS = int(os.environ.get("PORTAL_OIDC_SESSION_SECONDS", "1800"))

# Behind HTTPS (production): one switch turns on every transport-security setting.
HTTPS = env_bool("DJANGO_HTTPS", False)
SECURE_PROXY_SSL_HEADER = ("HTTP_X_FORWARDED_PROTO", "https")
SECURE_SSL_REDIRECT = HTTPS
SESSION_COOKIE_SECURE = CSRF_COOKIE_SECURE = HTTPS
SECURE_HSTS_SECONDS = int(os.environ.get("DJANGO_HSTS_SECONDS", "31536000" if HTTPS else "0"))
SECURE_HSTS_INCLUDE_SUBDOMAINS = SECURE_HSTS_PRELOAD = HTTPS
SECURE_REDIRECT_EXEMPT = [r"^healthz$"]
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"

LOG_FORMAT = os.environ.get("DJANGO_LOG_FORMAT", "plain")  # "json" for structured logs
LOGGING = {
    "version": 1,
    "disable_existing_loggers": False,
    "filters": {"request_id": {"()": "portal.observability.RequestIdFilter"}},
    "formatters": {
        "plain": {"format": "%(asctime)s %(levelname)s [%(request_id)s] %(name)s %(message)s"},
        "json": {"()": "portal.observability.JsonFormatter"},
    },
    "handlers": {
        "console": {"class": "logging.StreamHandler", "formatter": LOG_FORMAT, "filters": ["request_id"]},
    },
    "root": {"handlers": ["console"], "level": os.environ.get("DJANGO_LOG_LEVEL", "INFO")},
    "loggers": {
        "django.db.backends": {"level": "WARNING"},
        # PDF making logs every step at INFO; keep its warnings only.
        "weasyprint": {"level": "WARNING"},
        "fontTools": {"level": "WARNING"},
    },
}

CELERY_BEAT_SCHEDULE = {
    "outbox-flush": {"task": "dossiers.tasks.outbox_flush_task", "schedule": 60.0},
    "watch-flag": {"task": "dossiers.tasks.watch_flag_task", "schedule": 300.0},
    "calendar-recompute": {"task": "dossiers.tasks.calendar_recompute_pending_task", "schedule": 600.0},
    "kpi-facts-refresh": {"task": "dossiers.tasks.kpi_facts_refresh_task", "schedule": 60.0},
    "kpi-open-snapshot": {"task": "dossiers.tasks.kpi_open_snapshot_task", "schedule": 60.0},
    "petition-flag": {"task": "feedback.tasks.petition_flag_task", "schedule": 300.0},
    "payment-refunds": {"task": "payments.tasks.payment_refunds_pending_task", "schedule": 300.0},
    "digest-send": {"task": "dossiers.tasks.digest_send_task", "schedule": crontab(hour=7, minute=0)},
    # Does nothing while PORTAL_NATIONAL_SYNC_URL is unset; sends what no commit's kick did.
    "national-sync-send": {"task": "integrations.tasks.national_sync_send_task", "schedule": 30.0},
}

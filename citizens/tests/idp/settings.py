"""Settings of the test identity provider (see __init__.py): nothing here is read by the portal."""

import os
from pathlib import Path

HERE = Path(__file__).resolve().parent
DATA_DIR = Path(os.environ["IDP_DATA_DIR"])

SECRET_KEY = "test-identity-provider-" + "x" * 32
DEBUG = False
ALLOWED_HOSTS = ["127.0.0.1", "localhost"]
INSTALLED_APPS = [
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "oauth2_provider",
]
MIDDLEWARE = [
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
]
ROOT_URLCONF = "citizens.tests.idp.urls"
TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [HERE / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {"context_processors": ["django.template.context_processors.request"]},
    }
]
DATABASES = {"default": {"ENGINE": "django.db.backends.sqlite3", "NAME": DATA_DIR / "idp.sqlite3"}}
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
USE_TZ = True
TIME_ZONE = "UTC"
LOGIN_URL = "/dang-nhap/"
# Its own cookie name: the portal and the provider both live on 127.0.0.1 in the browser test.
SESSION_COOKIE_NAME = "idp_session"
CSRF_COOKIE_NAME = "idp_csrftoken"

OAUTH2_PROVIDER = {
    "OIDC_ENABLED": True,
    "OIDC_ISS_ENDPOINT": os.environ["IDP_ISSUER"],
    "OIDC_RSA_PRIVATE_KEY": (DATA_DIR / "rsa.pem").read_text(),
    "PKCE_REQUIRED": True,
    # RFC 8252 §7.3: a loopback redirect URI matches on any port (the live server picks one).
    "ALLOW_LOCALHOST_LOOPBACK": True,
    "OIDC_RP_INITIATED_LOGOUT_ENABLED": True,
    "OIDC_RP_INITIATED_LOGOUT_ALWAYS_PROMPT": False,
    "OAUTH2_VALIDATOR_CLASS": "citizens.tests.idp.validator.CitizenClaims",
    "SCOPES": {
        "openid": "Định danh",
        "profile": "Họ tên, số định danh cá nhân",
        "email": "Thư điện tử",
        "phone": "Số điện thoại",
    },
}
LOGGING = {"version": 1, "disable_existing_loggers": True}

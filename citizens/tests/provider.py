"""Start the test identity provider (idp/, django-oauth-toolkit in OIDC mode) in its own process,
and walk its pages over HTTP the way a citizen's browser does."""

import json
import os
import select
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path
from urllib.parse import parse_qs, urljoin, urlsplit

import requests

from .idp.serve import CLIENT_ID, CLIENT_SECRET

ROOT = Path(__file__).resolve().parents[2]
START_SECONDS = 60
PASSWORD = "mat-khau-vneid-thu"
# Test citizens as the national login describes them. An and Bình have verified numbers;
# Chi's account has a number the provider did not verify.
CITIZENS = {
    "an": {
        "sub": "vneid-0001",
        "name": "Phạm Văn An",
        "so_dinh_danh": "079088001234",
        "so_dinh_danh_verified": True,
        "phone_number": "+84912345678",
        "email": "an@example.vn",
    },
    "binh": {
        "sub": "vneid-0002",
        "family_name": "Lê",
        "given_name": "Bình",
        "so_dinh_danh": "079088002345",
        "so_dinh_danh_verified": True,
    },
    "chi": {
        "sub": "vneid-0003",
        "name": "Trần Thị Chi",
        "so_dinh_danh": "079088003456",
        "so_dinh_danh_verified": False,
    },
}
REDIRECT_URIS = ("http://testserver/cong-dan/dang-nhap/xong/", "http://localhost/cong-dan/dang-nhap/xong/")
LOGOUT_URIS = ("http://testserver/", "http://localhost/")


class IdentityProvider:
    def __init__(self, data_dir: Path):
        self.data_dir = data_dir
        self.process = None
        self.issuer = ""

    def up(self) -> "IdentityProvider":
        users = {name: {"password": PASSWORD, "claims": claims} for name, claims in CITIZENS.items()}
        (self.data_dir / "users.json").write_text(json.dumps(users, ensure_ascii=False))
        args = [str(self.data_dir), *REDIRECT_URIS, *(f"logout={uri}" for uri in LOGOUT_URIS)]
        log = (self.data_dir / "idp.log").open("w")
        self.process = subprocess.Popen(  # noqa: S603 (our own module, fixed arguments)
            [sys.executable, "-m", "citizens.tests.idp.serve", *args],
            cwd=ROOT,
            stdout=subprocess.PIPE,
            stderr=log,
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            text=True,
        )
        ready, _, _ = select.select([self.process.stdout], [], [], START_SECONDS)
        line = self.process.stdout.readline() if ready else ""
        if not line.startswith("READY "):
            self.down()
            raise RuntimeError(f"the identity provider did not start: {(self.data_dir / 'idp.log').read_text()}")
        self.issuer = line.split()[1]
        return self

    def down(self) -> None:
        if self.process is not None:
            self.process.terminate()
            self.process.wait(timeout=10)

    def url(self, path: str) -> str:
        return f"{self.issuer}/{path.lstrip('/')}"

    def settings(self) -> dict:
        return {
            "PORTAL_OIDC_ISSUER": self.issuer,
            "PORTAL_OIDC_CLIENT_ID": CLIENT_ID,
            "PORTAL_OIDC_CLIENT_SECRET": CLIENT_SECRET,
        }


class _Forms(HTMLParser):
    """The forms of a page: their action and their fields' values (hidden ones included)."""

    def __init__(self):
        super().__init__()
        self.forms: list[dict] = []

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.forms.append({"action": attrs.get("action") or "", "fields": {}})
        elif tag == "input" and self.forms and attrs.get("name") and attrs.get("type") != "submit":
            self.forms[-1]["fields"][attrs["name"]] = attrs.get("value") or ""


def page_form(response) -> dict:
    parser = _Forms()
    parser.feed(response.text)
    return parser.forms[0]


def approve(authorize_url: str, *, username: str) -> str:
    """Log in at the provider as a test citizen and consent; the redirect back to the portal."""
    browser = requests.Session()
    page = browser.get(authorize_url, timeout=10)  # → the provider's login form
    form = page_form(page)
    fields = {**form["fields"], "username": username, "password": PASSWORD}
    consent = browser.post(urljoin(page.url, form["action"]), data=fields, timeout=10)
    form = page_form(consent)
    back = browser.post(consent.url, data={**form["fields"], "allow": "Đồng ý"}, timeout=10, allow_redirects=False)
    assert back.status_code == 302, back.text
    return back.headers["Location"]


def callback_path(redirect: str) -> str:
    """The portal's callback as the test client asks for it (path and query of the redirect)."""
    parts = urlsplit(redirect)
    return f"{parts.path}?{parts.query}"


def query(url: str) -> dict[str, str]:
    return {key: values[0] for key, values in parse_qs(urlsplit(url).query).items()}

"""Run the test identity provider: `python -m citizens.tests.idp.serve DATA_DIR REDIRECT_URI...`.

DATA_DIR holds users.json ({username: {"password": …, "claims": {"sub": …, …}}}) and receives the
provider's database and key. Binds 127.0.0.1 on a free port, prints `READY <issuer>` once it serves,
and serves until killed.
"""

import json
import os
import sys
from pathlib import Path

CLIENT_ID = "mot-cua-test"
CLIENT_SECRET = "mot-cua-test-secret"


def _rsa_pem() -> str:
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    ).decode()


def _seed(data_dir: Path, redirect_uris: list[str], logout_uris: list[str]) -> None:
    from django.contrib.auth import get_user_model
    from django.core.management import call_command
    from oauth2_provider.models import Application

    call_command("migrate", verbosity=0, interactive=False)
    for username, user in json.loads((data_dir / "users.json").read_text()).items():
        get_user_model().objects.create_user(username=username, password=user["password"])
    Application.objects.create(
        name="Một Cửa (thử nghiệm)",
        client_id=CLIENT_ID,
        client_secret=CLIENT_SECRET,
        client_type=Application.CLIENT_CONFIDENTIAL,
        authorization_grant_type=Application.GRANT_AUTHORIZATION_CODE,
        redirect_uris=" ".join(redirect_uris),
        post_logout_redirect_uris=" ".join(logout_uris),
        algorithm=Application.RS256_ALGORITHM,
    )


def main(data_dir: str, *uris: str) -> None:
    from django.core.servers.basehttp import ThreadedWSGIServer, WSGIRequestHandler

    data = Path(data_dir)
    httpd = ThreadedWSGIServer(("127.0.0.1", 0), WSGIRequestHandler)
    issuer = f"http://127.0.0.1:{httpd.server_address[1]}/o"
    (data / "rsa.pem").write_text(_rsa_pem())
    os.environ.update(DJANGO_SETTINGS_MODULE="citizens.tests.idp.settings", IDP_DATA_DIR=data_dir, IDP_ISSUER=issuer)

    import django
    from django.core.wsgi import get_wsgi_application

    django.setup()
    redirects = [uri for uri in uris if not uri.startswith("logout=")]
    _seed(data, redirects, [uri.removeprefix("logout=") for uri in uris if uri.startswith("logout=")])
    httpd.set_app(get_wsgi_application())
    print(f"READY {issuer}", flush=True)
    httpd.serve_forever()


if __name__ == "__main__":
    main(*sys.argv[1:])

"""A real OpenID Connect provider for the tests: django-oauth-toolkit in OIDC mode, in a process of its
own on loopback (its own settings and SQLite database), standing in for the national login (VNeID).

Started by `citizens/tests/conftest.py` (`python -m citizens.tests.idp.serve`); the portal talks to
it exactly as it talks to the real provider: discovery, authorization code with PKCE (required),
RS256 ID tokens, JWKS, userinfo and RP-initiated logout.
"""

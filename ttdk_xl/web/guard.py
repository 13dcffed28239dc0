"""Who may ask: a browser on the same laptop also visits other sites, which may send requests here.

- The server listens on loopback only (server.py).
- A random secret per run is in the first address printed and opened; it is then kept in an HttpOnly,
  SameSite=Strict cookie, so another site's page can neither read it nor make the browser send it.
- The Host header must name 127.0.0.1 or localhost with our port: a foreign name pointing at 127.0.0.1
  (DNS rebinding) is refused.
- Every POST carries a CSRF token (derived from the secret) in a form field or a header.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

COOKIE = "ttdk_phien"
SECRET_PARAM = "khoa"
CSRF_FIELD = "csrf"
CSRF_HEADER = "X-CSRF-Token"


def new_secret() -> str:
    return secrets.token_urlsafe(32)


def csrf_token(secret: str) -> str:
    return hmac.new(secret.encode(), b"csrf", hashlib.sha256).hexdigest()


def same(a: str | None, b: str) -> bool:
    return a is not None and hmac.compare_digest(a.encode(), b.encode())


def allowed_hosts(port: int) -> set[str]:
    return {f"127.0.0.1:{port}", f"localhost:{port}"}

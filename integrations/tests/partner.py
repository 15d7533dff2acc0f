"""A stand-in for the national portal's sync endpoint: a real HTTP server on loopback.

It speaks the contract of docs/integrations.md — checks the bearer token and the HMAC
signature, applies each message id once (answering a repeat as a duplicate), echoes the
message id in its acknowledgement — records every request it gets, and can be told to
misbehave for the next requests: fail (500), refuse (422), hang (apply, then answer only
after the client's timeout), answer twice on the same connection, acknowledge another
message, or be down altogether (nothing listening on its port).
"""

import hmac
import json
import threading
import time
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

from integrations.national.contract import SIGNATURE_HEADER, TIMESTAMP_HEADER, signature

MODES = ("ok", "fail", "reject", "hang", "twice", "wrong_ack")


@dataclass
class Received:
    headers: dict
    body: dict


@dataclass
class Partner:
    token: str
    secret: str
    hang_seconds: float = 1.5
    requests: list[Received] = field(default_factory=list)  # every request, as it came
    applied: list[dict] = field(default_factory=list)  # each message applied, once, in order
    script: list[str] = field(default_factory=list)  # the modes of the next requests, one each
    refused: set[str] = field(default_factory=set)  # dossier codes (MaHoSo) whose messages get a 422
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _server: ThreadingHTTPServer | None = None
    port: int = 0

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/api/dongbo/hoso"

    def up(self) -> "Partner":
        self._server = ThreadingHTTPServer(("127.0.0.1", self.port), _handler(self))
        self._server.daemon_threads = True
        self.port = self._server.server_address[1]
        threading.Thread(target=self._server.serve_forever, daemon=True).start()
        return self

    def down(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def applied_ids(self) -> list[tuple[str, int, int]]:
        """(MaHoSo, SoThuTu, TrangThaiHoSo) of each message applied, in order."""
        return [(m["HoSo"]["MaHoSo"], m["SoThuTu"], m["HoSo"]["TrangThaiHoSo"]) for m in self.applied]

    # -- what the handler asks --------------------------------------------------------------

    def authorised(self, headers, raw: bytes) -> bool:
        expected = signature(secret=self.secret, timestamp=headers.get(TIMESTAMP_HEADER, ""), body=raw)
        return headers.get("Authorization") == f"Bearer {self.token}" and hmac.compare_digest(
            headers.get(SIGNATURE_HEADER, ""), expected
        )

    def take(self, headers, body: dict) -> tuple[str, bool]:
        """Record the request; the mode to answer it with, and whether its id was already applied."""
        with self._lock:
            self.requests.append(Received(dict(headers), body))
            mode = self.script.pop(0) if self.script else "ok"
            if body.get("HoSo", {}).get("MaHoSo") in self.refused:
                mode = "reject"
            duplicate = any(m["MaThongDiep"] == body.get("MaThongDiep") for m in self.applied)
            if mode in ("ok", "hang", "twice") and not duplicate:
                self.applied.append(body)
            return mode, duplicate


REFUSALS = {"fail": (500, {"KetQua": "error"}), "reject": (422, {"KetQua": "MaTTHC không hợp lệ"})}
NOT_OURS = "00000000-0000-0000-0000-000000000000"


class PartnerHandler(BaseHTTPRequestHandler):
    partner: Partner  # set by _handler
    protocol_version = "HTTP/1.1"  # keep-alive: an extra answer stays on the connection

    def log_message(self, *args):
        pass

    def do_POST(self):
        raw = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if not self.partner.authorised(self.headers, raw):
            return self._answer(401, {"KetQua": "unauthorized"})
        body = json.loads(raw)
        mode, duplicate = self.partner.take(self.headers, body)
        if mode in REFUSALS:
            return self._answer(*REFUSALS[mode])
        ack = {"MaThongDiep": NOT_OURS if mode == "wrong_ack" else body["MaThongDiep"], "TrungLap": duplicate}
        if mode == "hang":
            time.sleep(self.partner.hang_seconds)
        for _ in range(2 if mode == "twice" else 1):
            self._answer(200, {**ack, "KetQua": "OK"})

    def _answer(self, status: int, body: dict) -> None:
        data = json.dumps(body).encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            self.wfile.flush()
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client gave up (hang): the message was applied all the same


def _handler(partner: Partner) -> type[PartnerHandler]:
    return type("Handler", (PartnerHandler,), {"partner": partner})

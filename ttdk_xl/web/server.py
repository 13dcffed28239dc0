"""The local server: loopback only, a free port, the browser opened at the first address (with the secret)."""

from __future__ import annotations

import socket
import webbrowser
from collections.abc import Callable
from pathlib import Path

from ttdk_xl.web import guard

HOST = "127.0.0.1"  # never another interface: the page is for this laptop only


def listen() -> socket.socket:
    """A socket bound to a free port of the loopback interface (chosen by the system, so never taken)."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind((HOST, 0))
    sock.listen(64)
    return sock


def first_address(port: int, secret: str) -> str:
    return f"http://{HOST}:{port}/?{guard.SECRET_PARAM}={secret}"


def serve(root: Path, open_browser: bool = True, announce: Callable[[str], None] = print) -> None:
    """Serve the page of year folder `root` until Ctrl+C."""
    from waitress import serve as waitress_serve  # lazy: `ttdk-xl --help` does not load the server

    from ttdk_xl.web.app import create_app

    sock = listen()
    port = sock.getsockname()[1]
    secret = guard.new_secret()
    app = create_app(root, secret, port)
    address = first_address(port, secret)
    announce(address)
    if open_browser:
        webbrowser.open(address)
    try:
        waitress_serve(app, sockets=[sock], threads=4, ident="ttdk-xl", _quiet=True)
    finally:
        sock.close()

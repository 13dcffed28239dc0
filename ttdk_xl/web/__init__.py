"""`ttdk-xl web`: the year on a local page — a thin client of the library API, like the CLI.

app.py (pages, over the year folder) · guard.py (who may ask: secret, Host, CSRF) · uploads.py (what is kept
in the inbox) · jobs.py (long work in the background, with progress) · server.py (loopback server, browser).
"""

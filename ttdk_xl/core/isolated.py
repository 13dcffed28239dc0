"""Run one call in a child process, so that what kills the process kills only the child.

python-calamine's legacy readers (.xls, .ods, .xlsb) can end the whole process on a damaged file: a
Rust allocation failure aborts, which no exception handler sees. Such files are rare in an inbox (the
cluster issues .xlsx), so each is read in a child: forked where that is safe (Linux, no other thread
running), else a fresh interpreter (`python -m ttdk_xl.core.isolated`, which never re-imports the caller's
main module). The child also gets a time limit.
"""

from __future__ import annotations

import faulthandler
import importlib
import multiprocessing
import os
import pickle
import subprocess
import sys
import tempfile
import threading
from collections.abc import Callable
from typing import Any


class ChildDied(Exception):
    """The child ended without an answer (it crashed, or ran out of time)."""


def call(fn: Callable[..., Any], *args: Any, timeout: float = 60) -> Any:
    """`fn(*args)` in a child process; its result, or its exception raised here, or ChildDied.

    `fn` must be a module-level function and its arguments and result picklable."""
    if sys.platform.startswith("linux") and threading.active_count() == 1:
        return _forked(fn, args, timeout)
    return _spawned(fn, args, timeout)


def _forked(fn: Callable[..., Any], args: tuple, timeout: float) -> Any:
    context = multiprocessing.get_context("fork")
    receive, send = context.Pipe(duplex=False)
    with tempfile.TemporaryFile() as errors:  # what the child prints (a Rust abort's message) is for the log
        child = context.Process(target=_answer, args=(send, errors.fileno(), fn, args), daemon=True)
        child.start()
        send.close()
        try:
            if not receive.poll(timeout):
                raise ChildDied(f"no answer in {timeout:g} s")
            ok, value = pickle.loads(receive.recv_bytes())
        except EOFError:
            child.join()
            errors.seek(0)
            said = errors.read(300).decode("utf-8", "replace").strip().splitlines()
            raise ChildDied(f"the child process ended ({child.exitcode}): {said[0] if said else ''}") from None
        finally:
            receive.close()
            if child.is_alive():
                child.kill()
            child.join()
    if ok:
        return value
    raise value


def _answer(send, errors: int, fn: Callable[..., Any], args: tuple) -> None:
    faulthandler.disable()  # a host's fault handler (pytest's) writes to a stderr of its own: not from here
    os.dup2(errors, 2)  # the child's stderr: never on the user's screen
    send.send_bytes(_reply(fn, args))


def _reply(fn: Callable[..., Any], args: tuple) -> bytes:
    """The pickled (ok, result or exception) of `fn(*args)`; an exception that cannot cross (a Rust
    panic's type lives in no importable module) crosses as a RuntimeError naming it."""
    try:
        reply: tuple[bool, Any] = (True, fn(*args))
    except BaseException as exc:  # in the child, everything is an answer
        reply = (False, exc)
    try:
        data = pickle.dumps(reply)
        pickle.loads(data)
        return data
    except Exception:
        value = reply[1]
        return pickle.dumps((False, RuntimeError(f"{type(value).__name__}: {value}")))


def _spawned(fn: Callable[..., Any], args: tuple, timeout: float) -> Any:
    request = pickle.dumps((fn.__module__, fn.__qualname__, args))
    try:
        # the child imports what this process can import
        env = {**os.environ, "PYTHONPATH": os.pathsep.join(p for p in sys.path if p)}
        run = subprocess.run(
            [sys.executable, "-m", "ttdk_xl.core.isolated"],
            input=request,
            capture_output=True,
            timeout=timeout,
            env=env,
        )
    except subprocess.TimeoutExpired:
        raise ChildDied(f"no answer in {timeout:g} s") from None
    if run.returncode != 0 or not run.stdout:
        said = run.stderr[:300].decode("utf-8", "replace").strip().splitlines()
        raise ChildDied(f"the child process ended ({run.returncode}): {said[0] if said else ''}")
    ok, value = pickle.loads(run.stdout)
    if ok:
        return value
    raise value


def _main() -> None:
    module, name, args = pickle.loads(sys.stdin.buffer.read())
    fn: Any = importlib.import_module(module)  # then the module's attribute `name`: the function
    for part in name.split("."):
        fn = getattr(fn, part)
    sys.stdout.buffer.write(_reply(fn, args))
    sys.stdout.flush()
    os._exit(0)


if __name__ == "__main__":
    _main()

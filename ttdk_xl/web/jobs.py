"""Long work (writing every output of a large year) in a background thread, its progress asked by the page."""

from __future__ import annotations

import secrets
import threading
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class Job:
    title: str
    total: int = 0
    done: int = 0
    finished: bool = False
    error: str = ""
    message: str = ""

    def step(self, n: int = 1) -> None:
        self.done += n

    def as_dict(self) -> dict[str, object]:
        return {
            "title": self.title,
            "total": self.total,
            "done": self.done,
            "finished": self.finished,
            "error": self.error,
            "message": self.message,
        }


class Jobs:
    """At most one job at a time: two runs writing the same outputs would only slow each other."""

    def __init__(self) -> None:
        self._jobs: dict[str, Job] = {}
        self._lock = threading.Lock()

    def get(self, job_id: str) -> Job | None:
        return self._jobs.get(job_id)

    def running(self) -> tuple[str, Job] | None:
        return next(((i, j) for i, j in self._jobs.items() if not j.finished), None)

    def last(self) -> Job | None:
        """The job that finished last (its message or error stays on the page after it)."""
        done = [j for j in self._jobs.values() if j.finished]
        return done[-1] if done else None

    def start(self, title: str, total: int, work: Callable[[Job], str]) -> str:
        """Run `work(job)` in a thread (it calls job.step and returns a message); the running job's id if any."""
        with self._lock:
            if current := self.running():
                return current[0]
            job_id = secrets.token_hex(8)
            job = self._jobs[job_id] = Job(title, total)

        def run() -> None:
            try:
                job.message = work(job)
            except Exception as exc:  # shown on the page; the details in the log
                import logging

                logging.getLogger("ttdk_xl").error("web job", exc_info=exc)
                job.error = str(exc) or type(exc).__name__
            finally:
                job.finished = True

        threading.Thread(target=run, daemon=True, name=f"ttdk-web-{job_id}").start()
        return job_id

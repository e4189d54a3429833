"""A batch's journal: the state of each job in a SQLite file the user names, so that a batch
survives a crash and never pays twice.

One row per job, one transaction per change. What money depends on (a submit about to be
sent, the task id its answer gave) is committed with `synchronous=FULL`, which survives a
power cut; what can be found again for free (a final status, a saved file) with NORMAL,
which survives the process dying (WAL keeps both atomic). The file is held with SQLite's
exclusive locking mode for as long as the batch runs: a second process is refused, and the
lock ends with the process, however it ends. `PRAGMA user_version` is the schema's version:
a journal written by a newer version is refused rather than misread.

Only what a resume needs is kept: each job's digest and external_task_id, its state, task id,
final status, reason and saved path. Never a token, a job's content or a video URL (an
artifact's URL carries its `access` capability); reasons are cut of any `access=` value.
"""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Sequence
from pathlib import Path

import attrs

from kling_common.redaction import redact_access

from . import errors

SCHEMA_VERSION = 1
# 'KGBJ': marks the file as a batch journal, so that another SQLite file is not taken for one.
APPLICATION_ID = 0x4B47424A
MAX_REASON = 2000

# A job's states, as the journal keeps them.
NEW = "new"  # never sent
SENDING = "sending"  # its submit is (or was) on its way: the answer decides
UNANSWERED = "unanswered"  # sent, no answer: it may have created (and billed) a task
REFUSED = (
    "refused"  # the gateway answered the submit with an error: no task, not billed
)
SUBMITTED = "submitted"  # the task exists: its id is known
SUCCEEDED = "succeeded"  # final SUCCESS, video not saved (yet)
FAILED = "failed"  # final FAILURE
SAVED = "saved"  # final SUCCESS and its video saved
# The states whose submit may have created a task: each counts against max_tasks.
MAY_HAVE_CREATED = frozenset({SENDING, UNANSWERED, SUBMITTED, SUCCEEDED, FAILED, SAVED})

_SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE jobs (
    position INTEGER PRIMARY KEY,
    digest TEXT NOT NULL,
    external_task_id TEXT NOT NULL UNIQUE,
    state TEXT NOT NULL,
    task_id TEXT,
    status TEXT,
    reason TEXT,
    path TEXT,
    changed_at REAL NOT NULL
);
"""


class JournalError(errors.KlingError):
    """The journal cannot be used: unreadable, unwritable (disk full, read-only folder), in
    use by another process, from a newer version, or kept for other jobs."""


class JournalInUseError(JournalError):
    """Another process runs a batch on this journal."""


class JournalVersionError(JournalError):
    """The journal was written by a newer version of kling-gateway."""


class JobsChangedError(JournalError):
    """The jobs are not those the journal was started with."""


@attrs.frozen
class JobRow:
    """One job as the journal has it."""

    position: int
    external_task_id: str
    state: str
    task_id: str | None = None
    status: str | None = None
    reason: str | None = None
    path: str | None = None


def _problem(path: Path, exc: sqlite3.Error) -> JournalError:
    text = str(exc)
    if "locked" in text or "busy" in text:
        return JournalInUseError(
            f"journal {path} is in use by another process (one batch per journal)"
        )
    return JournalError(f"journal {path} cannot be used: {text}")


class Journal:
    """An open journal. `open` creates it for these jobs, or checks that it was made for
    them; each `record_*` is one committed transaction (or a JournalError, and nothing
    changed)."""

    def __init__(self, path: Path, db: sqlite3.Connection) -> None:
        self.path = path
        self._db = db
        self.rows: list[JobRow] = []
        self.batch_id = ""

    @classmethod
    def open(
        cls,
        path: str | os.PathLike[str],
        digests: Sequence[str],
        external_ids: Sequence[str | None],
    ) -> Journal:
        """The journal at `path` for jobs with these digests (one per job, in order) and
        their own external_task_id (None: the journal makes one up)."""
        where = Path(path)
        try:
            where.parent.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise JournalError(f"journal {where} cannot be created: {exc}") from exc
        try:
            # isolation_level=None: transactions are begun and committed here, explicitly.
            db = sqlite3.connect(where, timeout=0, isolation_level=None)
        except sqlite3.Error as exc:
            raise _problem(where, exc) from exc
        journal = cls(where, db)
        try:
            journal._start(digests, external_ids)
        except sqlite3.Error as exc:
            db.close()
            raise _problem(where, exc) from exc
        except BaseException:
            db.close()
            raise
        return journal

    def _start(
        self, digests: Sequence[str], external_ids: Sequence[str | None]
    ) -> None:
        db = self._db
        version = db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            raise JournalVersionError(
                f"journal {self.path} was written by a newer kling-gateway (journal "
                f"version {version}, this one reads {SCHEMA_VERSION}): upgrade to resume it"
            )
        # Held until the connection closes: one batch per journal.
        db.execute("PRAGMA locking_mode=EXCLUSIVE")
        if db.execute("PRAGMA journal_mode=WAL").fetchone()[0] != "wal":
            raise JournalError(f"journal {self.path} cannot be used in WAL mode")
        db.execute("PRAGMA synchronous=FULL")
        # Takes the lock now, and proves the file writable before anything is sent.
        db.execute("BEGIN IMMEDIATE")
        try:
            if version == 0 and not self._tables():
                self._create(digests, external_ids)
            else:
                self._check(digests)
            # A submit the last run sent without seeing its answer: it may have been billed.
            db.execute(
                "UPDATE jobs SET state = ?, reason = ?, changed_at = ? WHERE state = ?",
                (
                    UNANSWERED,
                    "the run stopped before the submit's answer arrived",
                    time.time(),
                    SENDING,
                ),
            )
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self.batch_id = self._meta("batch_id")
        self.rows = [
            JobRow(*row)
            for row in db.execute(
                "SELECT position, external_task_id, state, task_id, status, reason, path "
                "FROM jobs ORDER BY position"
            )
        ]

    def _tables(self) -> bool:
        return bool(
            self._db.execute("SELECT count(*) FROM sqlite_schema").fetchone()[0]
        )

    def _meta(self, key: str) -> str:
        row = self._db.execute(
            "SELECT value FROM meta WHERE key = ?", (key,)
        ).fetchone()
        return str(row[0]) if row else ""

    def _create(
        self, digests: Sequence[str], external_ids: Sequence[str | None]
    ) -> None:
        db = self._db
        for statement in _SCHEMA.strip().split(";"):
            if statement.strip():
                db.execute(statement)
        batch_id = uuid.uuid4().hex[:16]
        db.executemany(
            "INSERT INTO meta VALUES (?, ?)",
            [("batch_id", batch_id), ("created_at", str(time.time()))],
        )
        now = time.time()
        seen: dict[str, int] = {}
        for position, (digest, own) in enumerate(
            zip(digests, external_ids, strict=True)
        ):
            # Unique per job and per batch: Kling refuses a second task with the same one.
            external = own or f"kg-{batch_id}-{position + 1}"
            if external in seen:
                raise JobsChangedError(
                    f"jobs {seen[external] + 1} and {position + 1} name the same "
                    f"external_task_id {external!r}"
                )
            seen[external] = position
            db.execute(
                "INSERT INTO jobs (position, digest, external_task_id, state, changed_at) "
                "VALUES (?, ?, ?, ?, ?)",
                (position, digest, external, NEW, now),
            )
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def _check(self, digests: Sequence[str]) -> None:
        db = self._db
        if db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            raise JournalError(f"{self.path} is not a batch journal")
        kept = [
            row[0] for row in db.execute("SELECT digest FROM jobs ORDER BY position")
        ]
        for position, (old, new) in enumerate(zip(kept, digests, strict=False)):
            if old != new:
                raise JobsChangedError(
                    f"job {position + 1} is not the one journal {self.path} was started "
                    "with: the jobs changed. Restore them, or start a new journal"
                )
        if len(kept) != len(digests):
            raise JobsChangedError(
                f"journal {self.path} was started with {len(kept)} jobs, not "
                f"{len(digests)}: the jobs changed. Restore them, or start a new journal"
            )

    # Changes: one transaction each

    def _change(self, position: int, durable: bool, **fields: str | None) -> JobRow:
        if "reason" in fields and fields["reason"] is not None:
            fields["reason"] = redact_access(fields["reason"])[:MAX_REASON]
        names = ", ".join(f"{name} = ?" for name in fields)
        try:
            # NORMAL still survives the process dying; FULL also a power cut.
            self._db.execute(f"PRAGMA synchronous={'FULL' if durable else 'NORMAL'}")
            self._db.execute("BEGIN IMMEDIATE")
            try:
                self._db.execute(
                    f"UPDATE jobs SET {names}, changed_at = ? WHERE position = ?",
                    (*fields.values(), time.time(), position),
                )
                self._db.execute("COMMIT")
            except BaseException:
                self._db.execute("ROLLBACK")
                raise
        except sqlite3.Error as exc:
            raise _problem(self.path, exc) from exc
        row = attrs.evolve(self.rows[position], **fields)  # type: ignore[arg-type]
        self.rows[position] = row
        return row

    def record_sending(self, position: int) -> JobRow:
        """Before the submit goes out: from now on it may have been billed."""
        return self._change(position, True, state=SENDING, reason=None)

    def record_submitted(self, position: int, task_id: str) -> JobRow:
        return self._change(position, True, state=SUBMITTED, task_id=task_id)

    def record_unanswered(self, position: int, reason: str) -> JobRow:
        return self._change(position, True, state=UNANSWERED, reason=reason)

    def record_refused(self, position: int, reason: str) -> JobRow:
        return self._change(position, True, state=REFUSED, reason=reason)

    def record_final(
        self, position: int, succeeded: bool, status: str, reason: str | None
    ) -> JobRow:
        return self._change(
            position,
            False,
            state=SUCCEEDED if succeeded else FAILED,
            status=status,
            reason=reason,
        )

    def record_saved(self, position: int, path: Path) -> JobRow:
        return self._change(position, False, state=SAVED, path=str(path), reason=None)

    def record_reason(self, position: int, reason: str) -> JobRow:
        """Why a job stopped short this run (a wait's or a download's error)."""
        return self._change(position, False, reason=reason)

    def close(self) -> None:
        self._db.close()

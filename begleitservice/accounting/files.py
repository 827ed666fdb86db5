"""PDFs of a run or a Storno: rendered into a staging folder, moved into place just before the commit.

Crash points: rendering fails → the staging folder is removed and the transaction rolled back (no rows, no
numbers, no files). The files are moved into place, then the transaction commits; if the commit fails they
are removed again. A crash between the move and the commit leaves files without rows: harmless, since the
numbers were not consumed and the next run writes the same names again.
"""

from __future__ import annotations

import logging
import os
import shutil
import tempfile
from collections.abc import Callable, Sequence
from pathlib import Path

from flask import current_app

from billing.documents import Document, render_all

from ..clock import now
from ..extensions import db

log = logging.getLogger(__name__)


class StagedFiles:
    """PDF files written to a staging folder beside ``target``, not yet visible there."""

    def __init__(self, target: Path) -> None:
        self.target = Path(target)
        self.target.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.target.name}-staging-", dir=self.target.parent))
        self.names: list[str] = []
        self.placed: list[Path] = []

    def write(self, name: str, data: bytes) -> None:
        """Stage one file."""
        (self.staging / name).write_bytes(data)
        self.names.append(name)

    def place(self) -> None:
        """Move the staged files into ``target`` (same file system: each move is atomic)."""
        self.target.mkdir(parents=True, exist_ok=True)
        for name in self.names:
            os.replace(self.staging / name, self.target / name)
            self.placed.append(self.target / name)
        shutil.rmtree(self.staging, ignore_errors=True)

    def discard(self) -> None:
        """Remove the staging folder and whatever was already placed."""
        shutil.rmtree(self.staging, ignore_errors=True)
        for path in self.placed:
            path.unlink(missing_ok=True)
        if self.target.is_dir() and not any(self.target.iterdir()):
            self.target.rmdir()


def stage_documents(
    target: Path, docs: Sequence[tuple[str, Document]], *, progress: Callable[[int, int], None] | None = None
) -> StagedFiles:
    """Render ``(file name, document)`` pairs into a staging folder for ``target``; nothing stays on failure.

    Staging folders of ``target`` left by a process that was killed are removed first."""
    from ..signatures import with_signatures_all  # signatures reads billing state: imported when rendering

    _sweep_staging(Path(target))
    staged = StagedFiles(target)
    try:
        workers = current_app.config["BILLING_RENDER_WORKERS"]
        pdfs = render_all(with_signatures_all([doc for _, doc in docs]), workers=workers, progress=progress)
        for (name, _), pdf in zip(docs, pdfs, strict=True):
            staged.write(name, pdf)
    except BaseException:
        staged.discard()
        raise
    log.info("staged %d documents for %s", len(staged.names), target)
    return staged


def _sweep_staging(target: Path, *, older_than_s: float = 3600) -> None:
    """Remove staging folders of ``target`` older than an hour (a run lasts seconds; its process was killed)."""
    if not target.parent.is_dir():
        return
    for folder in target.parent.glob(f".{target.name}-staging-*"):
        try:
            if now().timestamp() - folder.stat().st_mtime > older_than_s:
                shutil.rmtree(folder, ignore_errors=True)
                log.warning("removed the staging folder %s of a run that did not end", folder)
        except OSError:
            continue


def commit_with_files(staged: StagedFiles | Sequence[StagedFiles] | None) -> None:
    """At the edge of a run or correction: place the staged PDFs (one or several folders), then commit; on any
    failure undo both."""
    groups = [] if staged is None else [staged] if isinstance(staged, StagedFiles) else list(staged)
    try:
        for group in groups:
            group.place()
        db.session.commit()
    except BaseException:
        db.session.rollback()
        for group in groups:
            group.discard()
        raise


def default_documents_dir(month_iso: str) -> Path:
    """``instance/billing/YYYY-MM``."""
    return Path(current_app.instance_path) / "billing" / month_iso

"""Downloading a job's part files: which ranges to fetch, and the local files they fill.

No network here: a shell fetches each `Piece` (one GET, ranged when the
file is larger than a piece) through a `PieceFetch`, which writes what
arrives where it belongs, says whether a failed read is worth another
attempt from where it broke off, and records each finished piece, so that
an interrupted download resumes where it stopped. A file takes its name
only once every piece is in and it has been checked against what S3
listed: its size, every range asked of the listed version (``IfMatch``),
and, for a file fetched in one piece, its MD5 where S3's ETag is one.

Why not s3transfer's ``TransferManager`` (what ``aws s3 sync`` runs): it
restarts an interrupted file from zero (its temporary file is deleted on
failure, and its downloads cannot ask for a range), and it has no asyncio
form, so the async shell would need code of its own anyway. One plan
here serves both shells; each runs the pieces concurrently its own way
(a thread pool, or tasks), as s3transfer does: ranged GETs (of 16 MiB:
s3transfer's 8 MiB measured a little slower, each GET paying its time to
first byte), ten at a time, a stream that breaks midway read again from
where it broke.
"""

from __future__ import annotations

import asyncio
import hashlib
import re
import threading
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO, NoReturn

from botocore.exceptions import (
    ConnectionError as BotocoreConnectionError,
)
from botocore.exceptions import (
    IncompleteReadError,
    ReadTimeoutError,
    ResponseStreamingError,
)

from ._errors import (
    EntityResolutionError,
    ResponseError,
    ServiceError,
    TransportError,
    translate_s3,
)
from ._output import checked_output
from ._validation import count_of_at_least_one

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping
    from os import PathLike

    from ._output import JobOutput, OutputFile

__all__ = ["MAX_CONCURRENCY", "PIECE_SIZE", "Download", "DownloadStopped", "Piece", "PieceFetch"]

PIECE_SIZE = 16 * 1024 * 1024
"""Bytes of a file one GET asks for: larger files are fetched in ranges of this size."""

MAX_CONCURRENCY = 10
"""GETs in flight at once (and so connections): s3transfer's and ``aws s3``'s default."""

READ_CHUNK = 256 * 1024
"""Bytes read from a GET's body and written at a time: with ten GETs, 2.5 MiB held."""

ATTEMPTS = 5
"""Reads of one piece, counting the first, when its stream breaks (as s3transfer's)."""

# Errors of a stream that broke off: worth reading the rest again. Those of
# aiohttp (the async shell) and urllib3 are told by name, not imported.
_BROKEN_STREAM = (
    IncompleteReadError,
    ReadTimeoutError,
    ResponseStreamingError,
    BotocoreConnectionError,
    ConnectionError,
    TimeoutError,
    asyncio.TimeoutError,  # not yet the built-in one on Python 3.10
)
_BROKEN_STREAM_NAMES = frozenset(
    {
        "aiohttp.ClientPayloadError",
        "aiohttp.ClientConnectionError",
        "aiohttp.ServerTimeoutError",
        "urllib3.ProtocolError",
        "urllib3.ReadTimeoutError",
    }
)
_MD5_ETAG = re.compile(r"^[0-9a-f]{32}$")


def is_broken_stream(error: BaseException) -> bool:
    """Whether ``error`` means the connection or the stream broke (worth another read)."""
    if isinstance(error, _BROKEN_STREAM):
        return True
    return any(
        f"{klass.__module__.partition('.')[0]}.{klass.__name__}" in _BROKEN_STREAM_NAMES
        for klass in type(error).__mro__
    )


class FileDownload:
    """One part file: written into ``NAME.download`` beside its path, journaled in ``NAME.done``.

    The journal's first line is the file's size and ETag as listed; each
    line after it a range (``start end``) wholly written. A later download
    of the same listing finds them and fetches only the ranges missing,
    however they are then cut into pieces.
    """

    def __init__(self, part: OutputFile, path: Path) -> None:
        self.part = part
        self.path = path
        self.partial = path.with_name(f"{path.name}.download")
        self.journal = path.with_name(f"{path.name}.done")
        self._lock = threading.Lock()
        self._header = f"{part.size} {part.etag or '-'}\n"
        self._written = 0  # bytes of the file journaled as written
        self._encryption: str | None = None

    def missing(self) -> list[tuple[int, int]]:
        """The ranges still to fetch, in order; the local files are made ready for them."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        done = self._resumable()
        if not done:
            with self.partial.open("wb") as file:
                file.truncate(self.part.size)
            self.journal.write_text(self._header)
        self._written = sum(end - start for start, end in done)
        missing: list[tuple[int, int]] = []
        at = 0
        for start, end in [*done, (self.part.size, self.part.size)]:
            if start > at:
                missing.append((at, start))
            at = max(at, end)
        return missing or ([(0, 0)] if not done else [])

    @property
    def resumed_bytes(self) -> int:
        """Bytes already written by an earlier, interrupted download."""
        return self._written

    def _resumable(self) -> list[tuple[int, int]]:
        """The ranges an earlier download of this same listing wrote, merged and in order."""
        try:
            header, *lines = self.journal.read_text().splitlines(keepends=True)
            there = self.partial.stat().st_size
        except (OSError, ValueError):
            return []
        if header != self._header or there != self.part.size:
            return []
        ranges: list[tuple[int, int]] = []
        for line in lines:
            fields = line.split()
            if len(fields) == 2 and all(field.isdigit() for field in fields):
                start, end = int(fields[0]), int(fields[1])
                if start < end <= self.part.size:
                    ranges.append((start, end))
        merged: list[tuple[int, int]] = []
        for start, end in sorted(ranges):
            if merged and start <= merged[-1][1]:
                merged[-1] = (merged[-1][0], max(merged[-1][1], end))
            else:
                merged.append((start, end))
        return merged

    def open_at(self, offset: int) -> BinaryIO:
        """The partial file, open for writing at ``offset``."""
        file = self.partial.open("r+b")
        file.seek(offset)
        return file

    def check_reply(self, reply: Mapping[str, object]) -> None:
        """Refuse a GET's reply for an object other than the one listed.

        Raises:
            ResponseError: Its ETag is not the one listed: the object was
                replaced since.
        """
        etag = _etag(reply.get("ETag"))
        if self.part.etag is not None and etag is not None and etag != self.part.etag:
            raise changed(self.part)
        encryption = reply.get("ServerSideEncryption")
        self._encryption = encryption if isinstance(encryption, str) else None

    def record(self, start: int, end: int) -> bool:
        """Journal the bytes ``start`` to ``end`` as written; whether the file is now complete."""
        with self._lock, self.journal.open("a") as journal:
            journal.write(f"{start} {end}\n")
            self._written += end - start
            return self._written >= self.part.size

    def finish(self, md5: str | None) -> None:
        """Check the complete file and give it its name.

        ``md5`` is the MD5 of its bytes as they arrived, for a file fetched
        in one piece (None otherwise: its ranges were checked against the
        ETag as they were asked for, and reading it back to hash it would
        cost a twentieth of the throughput).

        Raises:
            ResponseError: Its size, or its MD5 where the ETag is one, is not
                what S3 listed (the partial file is removed: a new download
                starts afresh).
        """
        size = self.partial.stat().st_size
        problem = None
        if size != self.part.size or self._written != self.part.size:
            problem = f"{self._written:,} bytes arrived, S3 listed {self.part.size:,}"
        elif md5 is not None and self.md5_checkable and md5 != self.part.etag:
            problem = f"its MD5 is {md5}, S3's ETag {self.part.etag}"
        if problem is not None:
            self.partial.unlink(missing_ok=True)
            self.journal.unlink(missing_ok=True)
            raise ResponseError(f"download of {self.part.s3_uri} is not what S3 holds: {problem}")
        self.partial.replace(self.path)
        self.journal.unlink(missing_ok=True)

    @property
    def md5_checkable(self) -> bool:
        """Whether the ETag is the content's MD5: an object written in one part, not with KMS."""
        etag = self.part.etag
        return (
            etag is not None
            and _MD5_ETAG.match(etag) is not None
            and self._encryption in (None, "AES256")
        )


class Piece:
    """One GET: the bytes ``start`` to ``end`` (exclusive) of a file."""

    __slots__ = ("end", "file", "start")

    def __init__(self, file: FileDownload, start: int, end: int) -> None:
        self.file = file
        self.start = start
        self.end = end

    def __repr__(self) -> str:
        return f"Piece({self.file.part.s3_uri}, {self.start}, {self.end})"


class PieceFetch:
    """Fetching one piece, attempt after attempt, from where the last broke off.

    The shell's loop::

        fetch = PieceFetch(piece, download)
        try:
            while fetch.wants_more():
                try:
                    reply = s3.get_object(**fetch.request())
                    fetch.check(reply)
                    for chunk in reply["Body"]: fetch.write(chunk)   # read_size at a time
                except Exception as error:
                    fetch.failed(error)   # returns to read the rest, raises otherwise
            fetch.complete()   # may finish the file: check and rename it
        finally:
            fetch.abandon()   # journals what an unfinished piece wrote
    """

    read_size = READ_CHUNK
    """Bytes to read from the body at a time."""

    def __init__(self, piece: Piece, download: Download) -> None:
        self.piece = piece
        self.offset = piece.start
        self._download = download
        self._attempt = 0
        self._file: BinaryIO | None = None  # open while an attempt writes
        self._broke: BaseException | None = None  # why the last read broke off
        self._journaled = False
        # A file fetched whole is hashed as it arrives, in order, retries included.
        whole = piece.start == 0 and piece.end == piece.file.part.size
        self._md5 = hashlib.md5(usedforsecurity=False) if whole else None

    def wants_more(self) -> bool:
        """Whether bytes of the piece are still to come (or nothing was asked yet)."""
        return self._attempt == 0 or self.offset < self.piece.end

    def request(self) -> dict[str, str]:
        """The next GetObject request: the rest of the piece, of the object listed.

        Raises:
            TransportError: The piece's reads broke off `ATTEMPTS` times.
        """
        part, piece = self.piece.file.part, self.piece
        if self._attempt >= ATTEMPTS:
            raise TransportError(
                f"S3 GetObject of {part.s3_uri} broke off {ATTEMPTS} times; "
                f"{self.offset - piece.start:,} of the range's {piece.end - piece.start:,} "
                f"bytes arrived ({self._broke})"
            ) from self._broke
        self._attempt += 1
        params = {"Bucket": part.bucket, "Key": part.key}
        if self.offset > 0 or piece.end < part.size:
            params["Range"] = f"bytes={self.offset}-{piece.end - 1}"
        if part.etag is not None:
            params["IfMatch"] = f'"{part.etag}"'
        return params

    def check(self, reply: Mapping[str, object]) -> None:
        """Refuse a reply for another object than the one listed (see `FileDownload`)."""
        self.piece.file.check_reply(reply)

    def write(self, chunk: bytes) -> None:
        """Write what arrived; report it to the progress callback.

        Raises:
            DownloadStopped: The download is stopping (see `Download.stop`).
        """
        if self._download.stopping:
            raise DownloadStopped
        if self.offset + len(chunk) > self.piece.end:
            raise ResponseError(
                f"S3 GetObject of {self.piece.file.part.s3_uri} sent more than the range asked for"
            )
        if self._file is None:
            self._file = self.piece.file.open_at(self.offset)
        self._file.write(chunk)
        if self._md5 is not None:
            self._md5.update(chunk)
        self.offset += len(chunk)
        self._download.report(self.piece.file.part, len(chunk))

    def complete(self) -> bool:
        """End the piece; whether that completed its file, which is then checked and named.

        Raises:
            ResponseError: The complete file is not what S3 listed.
        """
        self._close()
        self._journaled = True
        if not self.piece.file.record(self.piece.start, self.piece.end):
            return False
        self.piece.file.finish(None if self._md5 is None else self._md5.hexdigest())
        return True

    def failed(self, error: BaseException) -> None:
        """Return if the piece is worth another attempt from its offset; raise otherwise.

        Raises:
            EntityResolutionError: ``error`` translated (its message naming
                the file), when it is no broken stream or the attempts are
                spent.
        """
        self._close()
        if isinstance(error, EntityResolutionError) or not is_broken_stream(error):
            self._raise(error)
        self._broke = error

    def abandon(self) -> None:
        """Journal what an unfinished piece wrote, so that a later download resumes after it.

        Called however the fetch ends (an error, a cancelled task, a
        stopped download); nothing to do once the piece is complete.
        """
        self._close()
        if not self._journaled and self.offset > self.piece.start:
            self._journaled = True
            self.piece.file.record(self.piece.start, self.offset)

    def _close(self) -> None:
        # What was written is flushed before the piece is journaled, or
        # before another attempt writes the rest.
        if self._file is not None:
            self._file.close()
            self._file = None

    def _raise(self, error: BaseException) -> NoReturn:
        part = self.piece.file.part
        translated = translate_s3(error, "GetObject", part.s3_uri)
        if isinstance(translated, ServiceError) and translated.code == "PreconditionFailed":
            raise changed(part) from error
        if translated is error:
            raise error
        raise translated from error


class DownloadStopped(Exception):  # noqa: N818 - a signal to stop, not a failure
    """Raised into a piece's fetch when the download stops (another piece failed, or Ctrl-C)."""


class Download:
    """A job's output being downloaded into a folder: its files, pieces and progress.

    Raises (at construction, before any request):
        InvalidInputError: ``output`` is not a `JobOutput`, or a setting is
            out of range.
        ResponseError: A key would lead outside ``directory`` (``..``).
    """

    def __init__(
        self,
        output: JobOutput,
        directory: str | PathLike[str],
        *,
        on_progress: Callable[[OutputFile, int], object] | None,
        max_concurrency: int = MAX_CONCURRENCY,
    ) -> None:
        checked_output(output)
        self.max_concurrency = count_of_at_least_one(max_concurrency, "max_concurrency", "GETs")
        self.stopping = False
        self._on_progress = on_progress
        self._lock = threading.Lock()
        self.paths: list[Path] = []
        self._files: list[FileDownload] = []
        root = Path(directory)
        for part in output.files:
            segments = output.relative_key(part).split("/")
            if any(segment in ("", ".", "..") for segment in segments):
                raise ResponseError(f"output part {part.s3_uri} has a key that is no local path")
            path = root.joinpath(*segments)
            self.paths.append(path)
            self._files.append(FileDownload(part, path))

    def pieces(self) -> list[Piece]:
        """Every piece still to fetch, file by file; files already there count as progress.

        A file already at its path with the listed size is not fetched
        again; nor is a range an interrupted download wrote. Ranges are cut
        into pieces of `PIECE_SIZE`, but the last ``max_concurrency`` pieces'
        worth into halves: the GETs in flight then end closer together,
        rather than a few connections finishing whole pieces while the
        others idle. (Quarters measured slower: each GET pays its time to
        first byte.)
        """
        ranges: list[tuple[FileDownload, int, int]] = []
        for file in self._files:
            if file.path.is_file() and file.path.stat().st_size == file.part.size:
                self.report(file.part, file.part.size)
                continue
            ranges.extend((file, start, end) for start, end in file.missing())
            self.report(file.part, file.resumed_bytes)
        piece_size = PIECE_SIZE  # read here, not at definition: the tests make it smaller
        endgame = self.max_concurrency * piece_size
        left = sum(end - start for _, start, end in ranges)
        pieces: list[Piece] = []
        for file, start, end in ranges:
            at = start
            while True:
                size = piece_size if left - piece_size >= endgame else max(piece_size // 2, 1)
                stop = min(end, at + size)
                pieces.append(Piece(file, at, stop))
                left -= stop - at
                at = stop
                if at >= end:
                    break
        return pieces

    def stop(self) -> None:
        """Make the fetches in flight stop at their next write (each journals what it wrote)."""
        self.stopping = True

    def report(self, part: OutputFile, size: int) -> None:
        """Tell the progress callback, one call at a time whatever thread calls."""
        if self._on_progress is not None and size:
            with self._lock:
                self._on_progress(part, size)


def changed(part: OutputFile) -> ResponseError:
    """The error for a part file replaced in S3 since it was listed."""
    return ResponseError(
        f"{part.s3_uri} changed since it was listed (its ETag is no longer {part.etag}); "
        "get the job's output again"
    )


def _etag(value: object) -> str | None:
    return value.strip('"') if isinstance(value, str) and value else None

"""What a job produced: where its files are, which listed keys are its, and their rows.

Groundwork for reading a job's output (issue #20); nothing public uses it
yet. No I/O here: a shell lists and fetches, this module decides. The
service writes each run under its output location (``outputS3Path``) in a
folder named after the job id, right under the path or one level deeper,
with a ``success`` folder of part files (the matched records) and an
``error`` folder (the records it could not process).
"""

from __future__ import annotations

import csv
import gzip
import io
import re
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, Protocol

from ._errors import InvalidInputError, ResponseError

if TYPE_CHECKING:
    from collections.abc import Iterable, Iterator

PartKind = Literal["success", "error"]
"""Which folder of a job's output a part file sits in."""

_S3_URI = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(?:/(?P<prefix>.*))?$")
_GZIP_MAGIC = b"\x1f\x8b"
# Leading bytes of formats a part could be in that are not CSV, and their names.
_NOT_CSV = {b"PAR1": "Parquet", b"Obj\x01": "Avro", b"ORC": "ORC", b"PK\x03\x04": "a ZIP archive"}
_SNIFF = 1024  # bytes looked at to tell the format


@dataclass(frozen=True)
class Location:
    """An S3 location: a bucket and a key prefix ending in ``/`` (or empty)."""

    bucket: str
    prefix: str

    @classmethod
    def parse(cls, uri: str) -> Location:
        """Read ``s3://bucket/prefix``; the prefix gains a trailing ``/``.

        Raises:
            InvalidInputError: ``uri`` is not an S3 URI.
        """
        match = _S3_URI.match(uri)
        if match is None:
            raise InvalidInputError(
                f"not an S3 location (s3://bucket/prefix): {uri!r}", parameter="output_s3_path"
            )
        prefix = match["prefix"] or ""
        return cls(match["bucket"], prefix if not prefix or prefix.endswith("/") else prefix + "/")

    @property
    def uri(self) -> str:
        """The location as ``s3://bucket/prefix``."""
        return f"s3://{self.bucket}/{self.prefix}"

    def job_folder(self, job_id: str) -> Location:
        """The folder the service names after ``job_id``, right under this location."""
        return Location(self.bucket, f"{self.prefix}{job_id}/")

    def job_folders_below(self, subfolders: Iterable[str], job_id: str) -> list[Location]:
        """The folders named after ``job_id`` one level deeper, in listed subfolders.

        ``subfolders`` are the common prefixes a delimited listing of this
        location returned; any outside it are ignored.
        """
        return [
            Location(self.bucket, f"{sub}{job_id}/")
            for sub in subfolders
            if sub.startswith(self.prefix) and sub.endswith("/") and sub != self.prefix
        ]


def part_kind(folder: Location, key: str) -> PartKind | None:
    """Whether ``key`` is a success or error part of the job in ``folder``; None if neither.

    A key outside the folder, a folder marker or a file beside the two
    folders is no part.
    """
    if not key.startswith(folder.prefix):
        return None
    kind, _, name = key[len(folder.prefix) :].partition("/")
    if kind not in ("success", "error") or not name or name.endswith("/"):
        return None
    return "success" if kind == "success" else "error"


class Readable(Protocol):
    """What a part's body is read through: botocore's ``StreamingBody`` has it."""

    def read(self, amt: int | None = ..., /) -> bytes:
        """Up to ``amt`` bytes; fewer only at the end."""
        ...


class _Raw(io.RawIOBase):
    """A ``Readable`` as a raw stream, so that the standard library can buffer it."""

    def __init__(self, body: Readable) -> None:
        self._body = body

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview | bytearray) -> int:  # type: ignore[override]
        chunk = self._body.read(len(buffer))
        buffer[: len(chunk)] = chunk
        return len(chunk)


def iter_rows(body: Readable, key: str) -> Iterator[dict[str, str]]:
    """The rows of one CSV part (gzip-compressed or not), read as they stream.

    Holds a buffer, never the whole part. The first row is the header.

    Raises:
        ResponseError: The part is in another format (Parquet, Avro, ...),
            binary, or not UTF-8; the message names the key and what was found.
    """
    stream = io.BufferedReader(_Raw(body), buffer_size=64 * 1024)
    head = stream.peek(_SNIFF)[:_SNIFF]
    if head.startswith(_GZIP_MAGIC):
        stream = io.BufferedReader(gzip.GzipFile(fileobj=stream, mode="rb"), 64 * 1024)  # type: ignore[arg-type]
        head = stream.peek(_SNIFF)[:_SNIFF]
    _check_csv(head, key)
    text = io.TextIOWrapper(stream, encoding="utf-8", newline="")
    try:
        yield from csv.DictReader(text, restval="")
    except UnicodeDecodeError as error:
        raise ResponseError(f"output part {key} is not UTF-8 text: {error.reason}") from None
    except csv.Error as error:
        raise ResponseError(f"output part {key} is not readable CSV: {error}") from None


def _check_csv(head: bytes, key: str) -> None:
    for magic, name in _NOT_CSV.items():
        if head.startswith(magic):
            raise ResponseError(f"output part {key} is {name}, not CSV (it starts with {magic!r})")
    if b"\x00" in head:
        raise ResponseError(f"output part {key} is binary, not CSV (a NUL byte in its first bytes)")

"""The rows of a job's output part, decoded from its bytes as they arrive.

No I/O: a shell reads a part's body a chunk at a time and feeds each chunk
to a `RecordDecoder`, which hands back the rows completed so far. The sync
and async shells read differently (``body.read(n)`` or ``await
body.read(n)``) and decode alike, with memory bounded by a chunk and the
record being read, never the whole part.

A part is CSV with a header row, plain or gzip-compressed (told by its
first bytes, not its name). Other formats a part could be in (Parquet,
Avro, ORC, a ZIP archive, binary data) and text that is not UTF-8 are
errors naming the key and what was found.
"""

from __future__ import annotations

import codecs
import csv
import io
import zlib
from typing import TYPE_CHECKING, Protocol

from ._errors import ResponseError

if TYPE_CHECKING:
    from collections.abc import Iterator

CHUNK = 64 * 1024
"""Bytes a shell asks a part's body for at a time."""

_GZIP_MAGIC = b"\x1f\x8b"
# Leading bytes of formats a part could be in that are not CSV, and their names.
_NOT_CSV = {b"PAR1": "Parquet", b"Obj\x01": "Avro", b"ORC": "ORC", b"PK\x03\x04": "a ZIP archive"}
_SNIFF = 1024  # bytes of (decompressed) data looked at to tell the format
_INFLATE_STEP = 4 * CHUNK  # the most text one gzip step yields, so a small chunk stays small
_MAX_RECORD = 16 * 1024 * 1024  # a record longer than this is not a part we can read


class Readable(Protocol):
    """A part's body as the sync shell reads it: botocore's ``StreamingBody`` has it."""

    def read(self, amt: int | None = ..., /) -> bytes:
        """Up to ``amt`` bytes; fewer only at the end."""
        ...


class _Inflate(Protocol):
    """What the decoder uses of a ``zlib`` decompressor (whose class is private)."""

    @property
    def eof(self) -> bool: ...
    @property
    def unused_data(self) -> bytes: ...
    @property
    def unconsumed_tail(self) -> bytes: ...
    def decompress(self, data: bytes, max_length: int = ..., /) -> bytes: ...


class RecordDecoder:
    """Turns the bytes of one CSV part, chunk by chunk, into its rows as dicts.

    The first row is the header; a shorter row gets ``""`` for its missing
    columns, a longer one is an error. Blank lines are skipped, as
    ``csv.DictReader`` skips them.

    Raises (from `feed` and `close`):
        ResponseError: The part is in another format, binary, not UTF-8,
            or not readable as CSV; the message names the key.
    """

    def __init__(self, key: str) -> None:
        self.key = key
        self._head = b""  # the first bytes, until the format is known
        self._sniffed = False
        self._inflate: _Inflate | None = None  # set for a gzip part
        self._text = codecs.getincrementaldecoder("utf-8-sig")()
        self._pending: str = ""  # text after the last complete record
        self._quotes: int = 0  # quote characters in _pending: odd inside a quoted field
        self._header: list[str] | None = None

    def feed(self, chunk: bytes) -> Iterator[dict[str, str]]:
        """The rows that ``chunk`` completes, lazily: consume them before the next feed."""
        if not self._sniffed:
            self._head += chunk
            if len(self._head) < _SNIFF:
                return iter(())
            chunk, self._head = self._head, b""
            self._start(chunk)
        return self._rows(self._inflated(chunk), final=False)

    def close(self) -> Iterator[dict[str, str]]:
        """The rows left once the body has ended (its last record needs no newline)."""
        if not self._sniffed:
            chunk, self._head = self._head, b""
            self._start(chunk)
            return self._rows(self._inflated(chunk), final=True)
        return self._rows(self._inflated(b""), final=True)

    def _start(self, head: bytes) -> None:
        self._sniffed = True
        if head.startswith(_GZIP_MAGIC):
            self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
            # The format of a gzip part is told by its first decompressed bytes.
            try:
                peek = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, _SNIFF)
            except zlib.error as error:
                raise ResponseError(f"output part {self.key} is not valid gzip: {error}") from None
            self._check_format(peek)
        else:
            self._check_format(head)

    def _check_format(self, head: bytes) -> None:
        for magic, name in _NOT_CSV.items():
            if head.startswith(magic):
                raise ResponseError(
                    f"output part {self.key} is {name}, not CSV (it starts with {magic!r})"
                )
        if b"\x00" in head[:_SNIFF]:
            raise ResponseError(
                f"output part {self.key} is binary, not CSV (a NUL byte in its first bytes)"
            )

    def _inflated(self, chunk: bytes) -> Iterator[bytes]:
        inflate = self._inflate
        if inflate is None:
            yield chunk
            return
        try:
            # Step by step, so that a chunk that inflates a thousandfold
            # never becomes one string; a new member starts where one ends
            # (gzip allows several, concatenated).
            data = chunk
            while data:
                yield inflate.decompress(data, _INFLATE_STEP)
                data = inflate.unconsumed_tail
                if inflate.eof and inflate.unused_data:
                    data = inflate.unused_data
                    inflate = self._inflate = zlib.decompressobj(16 + zlib.MAX_WBITS)
        except zlib.error as error:
            raise ResponseError(f"output part {self.key} is not valid gzip: {error}") from None

    def _rows(self, pieces: Iterator[bytes], *, final: bool) -> Iterator[dict[str, str]]:
        for piece in pieces:
            yield from self._records(self._decoded(piece, final=False))
        if final:
            if self._inflate is not None and not self._inflate.eof:
                raise ResponseError(f"output part {self.key} ends inside its gzip stream")
            tail = self._decoded(b"", final=True) + ("\n" if self._pending else "")
            yield from self._records(tail)
            if self._pending.strip():
                raise ResponseError(
                    f"output part {self.key} is not readable CSV: a quoted field is never closed"
                )

    def _decoded(self, data: bytes, *, final: bool) -> str:
        try:
            return self._text.decode(data, final)
        except UnicodeDecodeError as error:
            reason = error.reason
            raise ResponseError(f"output part {self.key} is not UTF-8 text: {reason}") from None

    def _records(self, text: str) -> Iterator[dict[str, str]]:
        """The complete records of the pending text and ``text``; the rest stays pending."""
        if not text:
            return
        quotes = self._quotes + text.count('"')
        text = self._pending + text
        # A newline ends a record when the quotes before it are even: every
        # quoted field opened has closed ("" inside one counts twice).
        end = text.rfind("\n")
        while end >= 0 and (quotes - text.count('"', end)) % 2:
            end = text.rfind("\n", 0, end)
        if end < 0:
            if len(text) > _MAX_RECORD:
                raise ResponseError(
                    f"output part {self.key} is not readable CSV: "
                    f"a record longer than {_MAX_RECORD} characters"
                )
            self._pending, self._quotes = text, quotes
            return
        complete, self._pending = text[: end + 1], text[end + 1 :]
        self._quotes = self._pending.count('"')
        yield from self._dicts(complete)

    def _dicts(self, complete: str) -> Iterator[dict[str, str]]:
        reader = csv.reader(io.StringIO(complete, newline=""))
        header = self._header
        try:
            if header is None:
                for row in reader:
                    if row:
                        header = self._header = row
                        break
                if header is None:
                    return
            width = len(header)
            for row in reader:
                if len(row) == width:
                    yield dict(zip(header, row, strict=True))
                elif row:
                    yield self._uneven(header, row)
        except csv.Error as error:
            raise ResponseError(f"output part {self.key} is not readable CSV: {error}") from None

    def _uneven(self, header: list[str], row: list[str]) -> dict[str, str]:
        if len(row) > len(header):
            raise ResponseError(
                f"output part {self.key} is not readable CSV: a row has {len(row)} fields, "
                f"the header {len(header)}"
            )
        return dict(zip(header, row + [""] * (len(header) - len(row)), strict=True))


def iter_rows(body: Readable, key: str) -> Iterator[dict[str, str]]:
    """The rows of one part, read from a sync body a chunk at a time.

    Raises:
        ResponseError: As `RecordDecoder`.
    """
    decoder = RecordDecoder(key)
    while chunk := body.read(CHUNK):
        yield from decoder.feed(chunk)
    yield from decoder.close()

"""What a job produced: where its files are, which listed keys are its, and their model.

No I/O here: a shell lists and fetches, this module decides. The service
writes each run under the job's output location (``outputS3Path``) in a
folder named after the job id, with a ``success`` folder of part files
(the matched records) and an ``error`` folder (the records it could not
process). Whether that folder sits right under the location or one level
deeper (a folder per workflow, say) the service's documentation does not
pin down, so `OutputSearch` looks in both places: first right under the
location, then in each of its subfolders.
"""

from __future__ import annotations

import re
from collections import deque
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Literal

from pydantic import (
    AliasGenerator,
    BaseModel,
    ValidationError,
    computed_field,
    model_validator,
)
from pydantic.alias_generators import to_camel

from ._core import validation_problems
from ._errors import (
    InvalidInputError,
    JobNotSucceededError,
    OutputNotFoundError,
    ResponseError,
)
from ._models import IdMappingJob, MatchingJob, UtcDatetime
from ._status import JobStatus

if TYPE_CHECKING:
    from collections.abc import Generator, Iterable, Mapping
    from os import PathLike
    from typing import BinaryIO

    from typing_extensions import Self

__all__ = ["JobOutput", "OutputFile"]

DOWNLOAD_CHUNK = 1024 * 1024
"""Bytes of a part file fetched and written at a time when downloading."""

PartKind = Literal["success", "error"]
"""Which folder of a job's output a part file sits in."""

_S3_URI = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(?:/(?P<prefix>.*))?$")
# A subfolder named like a job id is another run's folder, not a level
# (a folder per workflow, say) that a job's folder could sit in.
_JOB_FOLDER_NAME = re.compile(r"(?:^|/)[a-f0-9]{32}/$")


class _OutputShape(
    BaseModel,
    # JSON in the service's style (camelCase, as `er-jobs --json` prints it)
    # with by_alias=True; our own names otherwise.
    alias_generator=AliasGenerator(serialization_alias=to_camel),
    frozen=True,
    extra="forbid",
):
    """Base of the output models: immutable."""


class OutputFile(_OutputShape, frozen=True):
    """One part file of a job's output, as S3 listed it.

    Attributes:
        bucket: The S3 bucket.
        key: The object's key.
        size: Its size in bytes.
        last_modified: When it was written (UTC).
    """

    bucket: str
    key: str
    size: int
    last_modified: UtcDatetime

    @computed_field  # type: ignore[prop-decorator]
    @property
    def s3_uri(self) -> str:
        """The file as ``s3://bucket/key``."""
        return f"s3://{self.bucket}/{self.key}"


class JobOutput(_OutputShape, frozen=True):
    """What a job wrote to S3: its success and error part files, in key order.

    Returned by ``get_job_output``; pass it to ``iter_output_records`` or
    ``download_job_output``. Every file sits in the job's folder
    (``folder``), so reading them never touches keys outside it.

    Attributes:
        job_id: The job.
        status: The job's status when its output was looked for; anything
            but SUCCEEDED means the output may be incomplete (asked for with
            ``partial=True``).
        locations: The folders searched for the job's output, in order, as
            ``s3://bucket/prefix/``; the last is where it was found.
        folder: The job's output folder (``s3://bucket/prefix/JOB_ID/``),
            or ``None`` when nothing was found (only with ``partial=True``).
        success: The part files of the ``success`` folder: the records
            processed.
        errors: The part files of the ``error`` folder: the records that
            could not be processed, each with the reason.

    Example:
        ```python
        output = er.get_job_output(er.wait_for_matching_job("customers", job_id))
        for record in er.iter_output_records(output, errors=True):
            print(record)
        ```
    """

    job_id: str
    status: JobStatus
    locations: tuple[str, ...] = ()
    folder: str | None = None
    success: tuple[OutputFile, ...] = ()
    errors: tuple[OutputFile, ...] = ()

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_files(self) -> int:
        """Part files in all, success and error."""
        return len(self.success) + len(self.errors)

    @computed_field  # type: ignore[prop-decorator]
    @property
    def total_size(self) -> int:
        """Bytes in all, success and error parts."""
        return self.success_size + self.errors_size

    @property
    def success_size(self) -> int:
        """Bytes in the success parts."""
        return sum(part.size for part in self.success)

    @property
    def errors_size(self) -> int:
        """Bytes in the error parts."""
        return sum(part.size for part in self.errors)

    @property
    def files(self) -> tuple[OutputFile, ...]:
        """Every part file: the success parts, then the error parts."""
        return self.success + self.errors

    def relative_key(self, part: OutputFile) -> str:
        """``part``'s key below the job's folder: ``success/part-00000.csv``."""
        if self.folder is None:
            return part.key
        return part.key.removeprefix(Location.parse(self.folder).prefix)

    @model_validator(mode="after")
    def _files_are_in_the_folder(self) -> Self:
        # What makes "keys outside the job's folder are never read" hold for
        # any JobOutput, not only those get_job_output built.
        if self.folder is None:
            if self.success or self.errors:
                raise ValueError("files without a folder: a job's files are in its folder")
            return self
        folder = Location.parse(self.folder)
        for kind, files in (("success", self.success), ("error", self.errors)):
            for part in files:
                if part.bucket != folder.bucket or part_kind(folder, part.key) != kind:
                    raise ValueError(f"{part.s3_uri} is not in {folder.uri}{kind}/")
        return self


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
        location returned; any outside it, and other runs' folders (named
        like a job id), are ignored.
        """
        return [
            Location(self.bucket, f"{sub}{job_id}/")
            for sub in subfolders
            if sub.startswith(self.prefix)
            and sub.endswith("/")
            and sub != self.prefix
            and not _JOB_FOLDER_NAME.search(sub[len(self.prefix) :])
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


class _Listed(BaseModel, frozen=True):
    Key: str
    Size: int
    LastModified: UtcDatetime


class _Prefix(BaseModel, frozen=True):
    Prefix: str


class _ListingPage(BaseModel, frozen=True):
    """The fields of a ``ListObjectsV2`` page that the search reads."""

    Contents: tuple[_Listed, ...] = ()
    CommonPrefixes: tuple[_Prefix, ...] = ()


@dataclass(frozen=True)
class Listing:
    """One listing the search asks for: a folder's keys, or a location's subfolders."""

    location: Location
    subfolders: bool

    @property
    def params(self) -> dict[str, str]:
        """The ``ListObjectsV2`` request (the paginator adds the continuation token)."""
        params = {"Bucket": self.location.bucket, "Prefix": self.location.prefix}
        if self.subfolders:
            params["Delimiter"] = "/"
        return params


class OutputSearch:
    """Finds a job's output folder and its part files from the listings it asks for.

    The shell's loop::

        search = OutputSearch(job, partial=partial)
        while (listing := search.next_listing()) is not None:
            for page in list_objects_v2_pages(**listing.params):
                search.take(page)
        return search.result()

    For each of the job's output locations, in order: its folder right
    under the location; if that holds nothing, the location's subfolders,
    and the job's folder in each. The first folder holding anything ends
    the search.

    Raises (at construction, before any request):
        InvalidInputError: ``job`` is not a job of either kind.
        JobNotSucceededError: The job has not SUCCEEDED and ``partial`` is
            false.
    """

    def __init__(self, job: MatchingJob | IdMappingJob, *, partial: bool) -> None:
        if not isinstance(job, (MatchingJob, IdMappingJob)):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise InvalidInputError(
                "job must be a MatchingJob or IdMappingJob, as get_* and wait_for_* return; "
                f"got {type(job).__name__}",
                parameter="job",
            )
        if job.status is not JobStatus.SUCCEEDED and not partial:
            raise JobNotSucceededError(job)
        self._job_id = job.job_id
        self._status = job.status
        locations = dict.fromkeys(Location.parse(s.output_s3_path) for s in job.output_sources)
        # Each listing to make, with the location whose subfolders to list
        # next if it finds nothing (for a folder right under a location).
        self._queue: deque[tuple[Listing, Location | None]] = deque(
            (Listing(place.job_folder(job.job_id), False), place) for place in locations
        )
        self._current: tuple[Listing, Location | None] | None = None
        self._searched: list[str] = []
        self._found: Location | None = None
        self._anything = False  # the current folder holds at least one object
        self._parts: list[tuple[PartKind, _Listed]] = []
        self._subfolders: list[str] = []

    def next_listing(self) -> Listing | None:
        """The next listing to make, all of whose pages go to `take`; None when done."""
        if self._current is not None:
            self._settle(self._current)
            self._current = None
        if self._found is not None or not self._queue:
            return None
        self._current = self._queue.popleft()
        listing = self._current[0]
        if not listing.subfolders:
            self._searched.append(listing.location.uri)
        self._anything, self._parts, self._subfolders = False, [], []
        return listing

    def take(self, page: Mapping[str, object]) -> None:
        """Read one page of the current listing.

        Raises:
            ResponseError: The page is not a ``ListObjectsV2`` reply.
        """
        if self._current is None:
            raise RuntimeError("take() before next_listing()")
        listing = self._current[0]
        try:
            read = _ListingPage.model_validate(page)
        except ValidationError as error:
            problems = validation_problems(error, "page")
            raise ResponseError(
                f"S3 ListObjectsV2 of {listing.location.uri} returned a reply that is not "
                f"a listing: {problems}"
            ) from None
        self._subfolders.extend(prefix.Prefix for prefix in read.CommonPrefixes)
        for listed in read.Contents:
            if not listed.Key.startswith(listing.location.prefix):
                continue  # never anything outside the folder asked for
            self._anything = True
            kind = part_kind(listing.location, listed.Key)
            if kind is not None:
                self._parts.append((kind, listed))

    def result(self) -> JobOutput:
        """The job's output, once `next_listing` has returned None.

        Raises:
            OutputNotFoundError: No folder was found and the job SUCCEEDED
                (or ``partial`` was false).
        """
        if self._current is not None or (self._found is None and self._queue):
            raise RuntimeError("result() before the search is over")
        if self._found is None:
            if self._status is JobStatus.SUCCEEDED:
                raise OutputNotFoundError(self._job_id, tuple(self._searched))
            return JobOutput(
                job_id=self._job_id, status=self._status, locations=tuple(self._searched)
            )
        files: dict[PartKind, list[OutputFile]] = {"success": [], "error": []}
        for kind, listed in sorted(self._parts, key=lambda part: part[1].Key):
            files[kind].append(
                OutputFile(
                    bucket=self._found.bucket,
                    key=listed.Key,
                    size=listed.Size,
                    last_modified=listed.LastModified,
                )
            )
        return JobOutput(
            job_id=self._job_id,
            status=self._status,
            locations=tuple(self._searched),
            folder=self._found.uri,
            success=tuple(files["success"]),
            errors=tuple(files["error"]),
        )

    def _settle(self, current: tuple[Listing, Location | None]) -> None:
        listing, then = current
        if listing.subfolders:
            below = listing.location.job_folders_below(self._subfolders, self._job_id)
            self._queue.extendleft((Listing(folder, False), None) for folder in reversed(below))
        elif self._anything:
            self._found = listing.location
        elif then is not None:
            self._queue.appendleft((Listing(then, True), None))


def checked_output(output: JobOutput) -> JobOutput:
    """``output``, if it is a `JobOutput`.

    Raises:
        InvalidInputError: It is not (nothing is read).
    """
    if not isinstance(output, JobOutput):  # pyright: ignore[reportUnnecessaryIsInstance]
        raise InvalidInputError(
            f"output must be a JobOutput, as get_job_output returns; got {type(output).__name__}",
            parameter="output",
        )
    return output


def download_targets(
    output: JobOutput, directory: str | PathLike[str]
) -> list[tuple[OutputFile, Path, bool]]:
    """Each part file of ``output``, its local path, and whether it is there already.

    A file's path below ``directory`` is its key below the job's folder
    (``success/part-00000.csv``); one already there with the same size is
    not fetched again.

    Raises:
        ResponseError: A key would lead outside ``directory`` (``..``).
    """
    root = Path(directory)
    targets: list[tuple[OutputFile, Path, bool]] = []
    for part in checked_output(output).files:
        parts = output.relative_key(part).split("/")
        if any(segment in ("", ".", "..") for segment in parts):
            raise ResponseError(f"output part {part.s3_uri} has a key that is no local path")
        path = root.joinpath(*parts)
        there = path.is_file() and path.stat().st_size == part.size
        targets.append((part, path, there))
    return targets


@contextmanager
def writing(path: Path) -> Generator[BinaryIO]:
    """A file to write ``path``'s content into: it becomes ``path`` only when complete.

    It is written as ``NAME.download`` beside it (folders created), renamed
    at the end, and removed if the writing fails, so that an interrupted
    download never leaves a file of the right name with the wrong content.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(f"{path.name}.download")
    try:
        with partial.open("wb") as file:
            yield file
        partial.replace(path)
    finally:
        partial.unlink(missing_ok=True)

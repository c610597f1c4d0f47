"""What a job produced: where its files are, which listed keys are its, and their model.

No I/O here: a shell lists and fetches, this module decides. The service
writes each run under the job's output location (``outputS3Path``) in a
folder named after the job id, with a ``success`` folder of part files
(the matched records) and an ``error`` folder (the records it could not
process); AWS's user guide says so. Where that folder sits it does not
say; the one public AWS sample that reads real output reads
``<outputS3Path><workflowName>/<jobId>/success/``. So `OutputSearch` looks
there first (one listing, when the job knows its workflow), then right
under the location, and only then in each of the location's subfolders.
"""

from __future__ import annotations

import re
from collections import deque
from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal, cast

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
    OutputNotInS3Error,
    ResponseError,
)
from ._models import IdMappingJob, MatchingJob, UtcDatetime, WorkflowOutput
from ._status import IdMappingJobType, JobStatus

if TYPE_CHECKING:
    from collections.abc import Iterable, Mapping

    from typing_extensions import Self

__all__ = ["JobOutput", "OutputFile"]

PartKind = Literal["success", "error"]
"""Which folder of a job's output a part file sits in."""

_S3_URI = re.compile(r"^s3://(?P<bucket>[a-z0-9][a-z0-9.\-]{1,61}[a-z0-9])(?:/(?P<prefix>.*))?$")
# A subfolder named like a job id is another run's folder, not a level
# (a folder per workflow, say) that a job's folder could sit in.
_JOB_FOLDER_NAME = re.compile(r"(?:^|/)[a-f0-9]{32}/$")
# What may name a folder in an S3 key: a workflow's name (the part of an
# ID mapping workflow's ARN after the last "/").
_WORKFLOW_NAME = re.compile(r"^[a-zA-Z_0-9-]{1,255}$")


class _OutputShape(
    BaseModel,
    # JSON in the service's style (camelCase, as `er-jobs --json` prints it)
    # with by_alias=True; our own names otherwise.
    alias_generator=AliasGenerator(serialization_alias=to_camel),
    frozen=True,
    extra="forbid",
):
    """Base of the output models: immutable, and read back from their own ``model_dump()``."""

    @model_validator(mode="before")
    @classmethod
    def _without_computed_fields(cls, data: object) -> object:
        # model_dump() writes the computed fields (total_size, s3_uri, ...);
        # they are derived, so reading them back ignores them rather than
        # refusing them as unknown keys.
        if not isinstance(data, dict):
            return data
        computed = cls.model_computed_fields
        given = cast("dict[str, object]", data)
        return {key: value for key, value in given.items() if key not in computed}


class OutputFile(_OutputShape, frozen=True):
    """One part file of a job's output, as S3 listed it.

    Attributes:
        bucket: The S3 bucket.
        key: The object's key.
        size: Its size in bytes.
        last_modified: When it was written (UTC).
        etag: Its ETag, without quotes (the content's MD5 for an object
            written in one part, unencrypted or with S3's own keys);
            ``None`` if the listing gave none. A download checks that
            every range it fetches is of this version.
    """

    bucket: str
    key: str
    size: int
    last_modified: UtcDatetime
    etag: str | None = None

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
        folder: The job's output folder
            (``s3://bucket/prefix/WORKFLOW/JOB_ID/``), or ``None`` when
            nothing was found: a run that wrote nothing (its counts say no
            record was processed, or an ID mapping ``DELETE_ONLY`` run), or
            one not SUCCEEDED looked at with ``partial=True``.
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
    def empty(self) -> bool:
        """Whether the job wrote no part files at all (then `folder` may be ``None``)."""
        return not self.success and not self.errors

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

    def job_folder(self, job_id: str, workflow: str | None = None) -> Location:
        """The folder named after ``job_id``: in ``workflow``'s folder, or right here."""
        if workflow is None:
            return Location(self.bucket, f"{self.prefix}{job_id}/")
        return Location(self.bucket, f"{self.prefix}{workflow}/{job_id}/")

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
    ETag: str | None = None


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
    """Finds a job's output folder and its part files from the requests it asks for.

    The shell's loop::

        search = OutputSearch(job, partial=partial, workflow_name=workflow_name)
        if search.workflow_to_read is not None:  # the job's reply named no location
            search.take_workflow(get_workflow(workflowName=search.workflow_to_read))
        while (listing := search.next_listing()) is not None:
            for page in list_objects_v2_pages(**listing.params):
                search.take(page)
        return search.result()

    For each of the job's output locations, in order: the job's folder in
    the workflow's folder (``LOCATION/WORKFLOW/JOB_ID/``, where the service
    writes), right under the location, then in each of the location's
    subfolders. The first folder holding anything ends the search, so a
    job that knows its workflow costs one listing.

    Raises (at construction, before any request):
        InvalidInputError: ``job`` is not a job of either kind, or
            ``workflow_name`` is not a workflow's name or ARN.
        JobNotSucceededError: The job has not SUCCEEDED and ``partial`` is
            false.
        OutputNotFoundError: The job names no output location and its
            workflow is not known, so none can be read.
    """

    def __init__(
        self,
        job: MatchingJob | IdMappingJob,
        *,
        partial: bool,
        workflow_name: str | None = None,
    ) -> None:
        if not isinstance(job, (MatchingJob, IdMappingJob)):  # pyright: ignore[reportUnnecessaryIsInstance]
            raise InvalidInputError(
                "job must be a MatchingJob or IdMappingJob, as get_* and wait_for_* return; "
                f"got {type(job).__name__}",
                parameter="job",
            )
        workflow = workflow_name if workflow_name is not None else job.workflow_name
        self._workflow_folder = _workflow_folder(workflow)
        if job.status is not JobStatus.SUCCEEDED and not partial:
            raise JobNotSucceededError(job)
        self.is_matching = isinstance(job, MatchingJob)
        self._job_id = job.job_id
        self._status = job.status
        self._expects_files = _wrote_records(job)
        self._queue: deque[Listing] = deque()
        self._current: Listing | None = None
        self._searched: list[str] = []
        self._found: Location | None = None
        self._anything = False  # the current folder holds at least one object
        self._parts: list[tuple[PartKind, _Listed]] = []
        self._subfolders: list[str] = []
        self.workflow_to_read: str | None = None
        """The workflow whose output location to read (``Get*Workflow``) first, if any."""
        if job.output_sources:
            self._plan(source.output_s3_path for source in job.output_sources)
        elif workflow is None:
            raise OutputNotFoundError(
                job.job_id,
                (),
                "its reply names no output location and its workflow is not known; "
                "pass workflow_name to read the workflow's",
            )
        else:
            self.workflow_to_read = workflow

    def take_workflow(self, workflow: WorkflowOutput) -> None:
        """Read the output locations from the workflow's description.

        Raises:
            OutputNotInS3Error: The workflow writes to Customer Profiles.
            OutputNotFoundError: It names no output location at all.
        """
        if self.workflow_to_read is None:
            raise RuntimeError("take_workflow() without workflow_to_read")
        paths = [place.output_s3_path for place in workflow.output_sources]
        if paths and not any(paths):
            raise OutputNotInS3Error(self._job_id, self.workflow_to_read)
        if not paths:
            raise OutputNotFoundError(
                self._job_id, (), f"neither it nor workflow {self.workflow_to_read} names one"
            )
        self.workflow_to_read = None
        self._plan(path for path in paths if path)

    def next_listing(self) -> Listing | None:
        """The next listing to make, all of whose pages go to `take`; None when done."""
        if self.workflow_to_read is not None:
            raise RuntimeError("next_listing() before take_workflow()")
        if self._current is not None:
            self._settle(self._current)
            self._current = None
        if self._found is not None or not self._queue:
            return None
        listing = self._current = self._queue.popleft()
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
        listing = self._current
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
            OutputNotFoundError: No folder was found, the job SUCCEEDED and
                its counts say it wrote records.
        """
        if self._current is not None or (self._found is None and self._queue):
            raise RuntimeError("result() before the search is over")
        searched = tuple(self._searched)
        if self._found is None:
            if self._status is JobStatus.SUCCEEDED and self._expects_files:
                raise OutputNotFoundError(self._job_id, searched)
            return JobOutput(job_id=self._job_id, status=self._status, locations=searched)
        files: dict[PartKind, list[OutputFile]] = {"success": [], "error": []}
        for kind, listed in sorted(self._parts, key=lambda part: part[1].Key):
            files[kind].append(
                OutputFile(
                    bucket=self._found.bucket,
                    key=listed.Key,
                    size=listed.Size,
                    last_modified=listed.LastModified,
                    etag=listed.ETag.strip('"') if listed.ETag else None,
                )
            )
        return JobOutput(
            job_id=self._job_id,
            status=self._status,
            locations=searched,
            folder=self._found.uri,
            success=tuple(files["success"]),
            errors=tuple(files["error"]),
        )

    def _plan(self, paths: Iterable[str]) -> None:
        for place in dict.fromkeys(Location.parse(path) for path in paths):
            if self._workflow_folder is not None:
                self._queue.append(
                    Listing(place.job_folder(self._job_id, self._workflow_folder), False)
                )
            self._queue.append(Listing(place.job_folder(self._job_id), False))
            self._queue.append(Listing(place, True))

    def _settle(self, listing: Listing) -> None:
        if listing.subfolders:
            below = listing.location.job_folders_below(self._subfolders, self._job_id)
            searched = set(self._searched)
            self._queue.extendleft(
                Listing(folder, False) for folder in reversed(below) if folder.uri not in searched
            )
        elif self._anything:
            self._found = listing.location


def _workflow_folder(workflow: str | None) -> str | None:
    """The folder the service names after ``workflow`` (a name, or an ID mapping ARN's name).

    Raises:
        InvalidInputError: ``workflow`` is neither.
    """
    if workflow is None:
        return None
    given = cast("object", workflow)  # callers without a type checker pass anything
    name = (
        workflow.rpartition("/")[2]
        if isinstance(given, str) and workflow.startswith("arn:")
        else given
    )
    if not isinstance(name, str) or not _WORKFLOW_NAME.match(name):
        raise InvalidInputError(
            f"workflow_name must be a workflow's name or ARN; got {workflow!r}",
            parameter="workflow_name",
        )
    return name


def _wrote_records(job: MatchingJob | IdMappingJob) -> bool:
    """Whether a SUCCEEDED ``job`` must have written files: its counts say it processed records.

    Not an ID mapping ``DELETE_ONLY`` run (it removes mappings and writes
    none), and not a run whose counts say no record was processed or
    refused; a run without counts may have written, so it counts as one
    that did.
    """
    if isinstance(job, IdMappingJob) and job.job_type is IdMappingJobType.DELETE_ONLY:
        return False
    metrics = job.metrics
    if metrics.total_records_processed is None and metrics.records_not_processed is None:
        return True
    return bool(metrics.total_records_processed or metrics.records_not_processed)


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

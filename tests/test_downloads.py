"""Downloading output as `aws s3 sync` does: ranged GETs at once, retried, resumed, checked."""

from __future__ import annotations

import asyncio
import hashlib
import os
import threading
from pathlib import Path
from typing import TYPE_CHECKING, Any

import boto3
import pytest
from botocore.exceptions import ResponseStreamingError

from entityresolution_jobs import (
    AsyncEntityResolutionJobs,
    EntityResolutionJobs,
    InvalidInputError,
    JobOutput,
    ResponseError,
    TransportError,
    _downloads,
)
from entityresolution_jobs.testing import EntityResolutionMock

from .network_proxy import NetworkProxy

if TYPE_CHECKING:
    from collections.abc import Iterator

BUCKET = "er-output"
ROOT = f"s3://{BUCKET}/entity-resolution/"
PIECE = 64 * 1024
SIZE = 10 * PIECE + 123  # eleven pieces, the last short


@pytest.fixture(autouse=True)
def small_pieces(monkeypatch: pytest.MonkeyPatch) -> None:
    """Pieces of 64 KiB, so that a file of 640 KiB is eleven ranged GETs."""
    monkeypatch.setattr(_downloads, "PIECE_SIZE", PIECE)


def large_output(fake: EntityResolutionMock, er: EntityResolutionJobs, s3: Any) -> JobOutput:
    """A SUCCEEDED job whose one success part is SIZE random bytes and one error part is small."""
    fake.create_workflow("wf", output_s3_path=ROOT)
    job_id = er.start_matching_job("wf")
    fake.job("wf", job_id).succeed()
    job = er.get_matching_job("wf", job_id)  # before the bucket: the fake writes nothing
    s3.create_bucket(Bucket=BUCKET)
    folder = f"entity-resolution/wf/{job_id}/"
    s3.put_object(Bucket=BUCKET, Key=f"{folder}success/part-00000.csv", Body=os.urandom(SIZE))
    s3.put_object(Bucket=BUCKET, Key=f"{folder}error/part-00000.csv", Body=b"RecordId\n1\n")
    return er.get_job_output(job)


def content(s3: Any, key: str) -> bytes:
    body: bytes = s3.get_object(Bucket=BUCKET, Key=key)["Body"].read()
    return body


def record_gets(er: EntityResolutionJobs) -> list[str]:
    """The Range of each GetObject the facade's S3 client sends (``"-"`` for a whole object)."""
    ranges: list[str] = []
    lock = threading.Lock()

    def record(params: dict[str, Any], **_: object) -> None:
        with lock:
            ranges.append(params.get("Range", "-"))

    er._s3().meta.events.register("provide-client-params.s3.GetObject", record)
    return ranges


def spans(ranges: list[str]) -> list[tuple[int, int]]:
    """The (start, end) of each ranged GET, end exclusive, in the order sent."""
    spans = []
    for asked in ranges:
        if asked != "-":
            first, _, last = asked.removeprefix("bytes=").partition("-")
            spans.append((int(first), int(last) + 1))
    return spans


def bytes_asked(ranges: list[str]) -> int:
    return sum(end - start for start, end in spans(ranges))


class BreakingBody:
    """A GET's body that breaks off, as a reset connection does, after ``after`` bytes."""

    def __init__(self, body: Any, after: int) -> None:
        self._body, self._left = body, after

    def read(self, size: int) -> bytes:
        if self._left <= 0:
            raise ResponseStreamingError(error="Connection reset by peer")
        chunk: bytes = self._body.read(min(size, self._left))
        self._left -= len(chunk)
        return chunk

    def close(self) -> None:
        self._body.close()


def break_streams(er: EntityResolutionJobs, *, after: int, times: int) -> None:
    """The next ``times`` GET bodies of the success part break off after ``after`` bytes."""
    left = [times]

    def swap(parsed: dict[str, Any], model: Any, **_: object) -> None:
        if left[0] > 0 and "Body" in parsed and parsed.get("ContentLength", 0) > after:
            left[0] -= 1
            parsed["Body"] = BreakingBody(parsed["Body"], after)

    er._s3().meta.events.register("after-call.s3.GetObject", swap)


@pytest.fixture
def s3(entity_resolution: EntityResolutionMock) -> Any:
    return boto3.client("s3", region_name="us-east-1")


@pytest.fixture
def er(entity_resolution: EntityResolutionMock) -> EntityResolutionJobs:
    return EntityResolutionJobs()


@pytest.fixture
def output(entity_resolution: EntityResolutionMock, er: EntityResolutionJobs, s3: Any) -> JobOutput:
    return large_output(entity_resolution, er, s3)


class TestConcurrentRangedGets:
    def test_a_large_file_is_fetched_in_ranges_several_at_once(
        self, er: EntityResolutionJobs, s3: Any, output: JobOutput, tmp_path: Path
    ) -> None:
        ranges = record_gets(er)
        # Four GETs must be in flight together to pass this barrier: one at a time would time out.
        together = threading.Barrier(4, timeout=10)

        def meet(**_: object) -> None:
            if len(ranges) <= 4:
                together.wait()

        er._s3().meta.events.register("before-call.s3.GetObject", meet)

        paths = er.download_job_output(output, tmp_path, max_concurrency=4)

        assert paths[0].read_bytes() == content(s3, output.success[0].key)
        assert paths[1].read_bytes() == b"RecordId\n1\n"
        tiles = sorted(spans(ranges))
        assert [start for start, _ in tiles] == [0] + [end for _, end in tiles[:-1]]
        assert tiles[-1][1] == SIZE  # the file in ranges, each byte asked once
        sizes = [end - start for start, end in spans(ranges)]
        # Whole pieces first; the last four pieces' worth in halves, to end together.
        assert sizes[:6] == [PIECE] * 6
        assert max(sizes[6:]) <= PIECE // 2
        assert ranges.count("-") == 1  # the small part: one whole GET
        assert not [p for p in tmp_path.rglob("*") if p.suffix in (".download", ".done")]

    def test_progress_adds_up_to_the_total_and_is_reported_one_call_at_a_time(
        self, er: EntityResolutionJobs, s3: Any, output: JobOutput, tmp_path: Path
    ) -> None:
        inside, most, total = [0], [0], [0]

        def progress(_part: object, size: int) -> None:
            inside[0] += 1
            most[0] = max(most[0], inside[0])
            total[0] += size
            inside[0] -= 1

        er.download_job_output(output, tmp_path, on_progress=progress)

        assert total[0] == output.total_size
        assert most[0] == 1

    def test_a_concurrency_below_one_is_refused_before_any_request(
        self, er: EntityResolutionJobs, s3: Any, output: JobOutput, tmp_path: Path
    ) -> None:
        ranges = record_gets(er)

        with pytest.raises(InvalidInputError, match="max_concurrency must be"):
            er.download_job_output(output, tmp_path, max_concurrency=0)

        assert ranges == []


class TestBrokenStreams:
    def test_a_read_that_breaks_midway_is_read_again_from_where_it_broke(
        self, er: EntityResolutionJobs, s3: Any, output: JobOutput, tmp_path: Path
    ) -> None:
        ranges = record_gets(er)
        break_streams(er, after=1000, times=1)

        paths = er.download_job_output(output, tmp_path, max_concurrency=1)

        assert paths[0].read_bytes() == content(s3, output.success[0].key)
        assert ranges[:2] == [f"bytes=0-{PIECE - 1}", f"bytes=1000-{PIECE - 1}"]
        assert bytes_asked(ranges) == SIZE + PIECE - 1000  # only the rest read again

    def test_a_stream_that_keeps_breaking_is_a_transport_error_after_five_reads(
        self, er: EntityResolutionJobs, s3: Any, output: JobOutput, tmp_path: Path
    ) -> None:
        ranges = record_gets(er)
        break_streams(er, after=10, times=1000)

        with pytest.raises(TransportError, match=r"broke off 5 times.*Connection reset by peer"):
            er.download_job_output(output, tmp_path, max_concurrency=1)

        assert ranges[:5] == [f"bytes={10 * n}-{PIECE - 1}" for n in range(5)]
        assert not (tmp_path / "success" / "part-00000.csv").exists()


class TestResuming:
    def test_an_interrupted_file_resumes_with_the_ranges_missing(
        self, er: EntityResolutionJobs, s3: Any, output: JobOutput, tmp_path: Path
    ) -> None:
        fail_from = [3]  # after three GETs, every GET fails for good

        def refuse(**_: object) -> None:
            fail_from[0] -= 1
            if fail_from[0] < 0:
                raise PermissionError("the disk went away")

        handler = er._s3().meta.events.register("before-call.s3.GetObject", refuse)
        with pytest.raises(PermissionError):
            er.download_job_output(output, tmp_path, max_concurrency=1)
        er._s3().meta.events.unregister("before-call.s3.GetObject", refuse)
        del handler
        partial = tmp_path / "success" / "part-00000.csv.download"
        assert partial.exists()
        ranges = record_gets(er)
        progress: list[int] = []

        paths = er.download_job_output(
            output, tmp_path, on_progress=lambda _f, n: progress.append(n)
        )

        assert paths[0].read_bytes() == content(s3, output.success[0].key)
        assert bytes_asked(ranges) == SIZE - 3 * PIECE  # only what was missing
        assert sum(progress) == output.total_size  # what was there counts at once
        assert not partial.exists()
        assert not (tmp_path / "success" / "part-00000.csv.done").exists()

    def test_a_journal_of_another_version_of_the_file_is_not_trusted(
        self, er: EntityResolutionJobs, s3: Any, output: JobOutput, tmp_path: Path
    ) -> None:
        folder = tmp_path / "success"
        folder.mkdir()
        (folder / "part-00000.csv.download").write_bytes(b"\0" * SIZE)
        (folder / "part-00000.csv.done").write_text(f"{SIZE} 0123abcd\n0 {PIECE}\n")
        ranges = record_gets(er)

        paths = er.download_job_output(output, tmp_path)

        assert paths[0].read_bytes() == content(s3, output.success[0].key)
        assert bytes_asked(ranges) == SIZE

    def test_ctrl_c_midway_keeps_what_each_piece_wrote_for_the_next_download(
        self, er: EntityResolutionJobs, s3: Any, output: JobOutput, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:  # fmt: skip
        monkeypatch.setattr(_downloads.PieceFetch, "read_size", 4096)
        written = [0]

        def interrupt(_part: object, size: int) -> None:
            written[0] += size
            if written[0] > PIECE + PIECE // 2:  # inside the second piece, or the third
                raise KeyboardInterrupt

        with pytest.raises(KeyboardInterrupt):
            er.download_job_output(output, tmp_path, on_progress=interrupt, max_concurrency=2)
        ranges = record_gets(er)

        paths = er.download_job_output(output, tmp_path)

        assert paths[0].read_bytes() == content(s3, output.success[0].key)
        assert bytes_asked(ranges) == SIZE - written[0]  # not a byte written is asked again

    def test_a_cancelled_async_download_resumes_after_what_it_wrote(
        self, moto_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr(_downloads.PieceFetch, "read_size", 4096)
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", moto_server)
        s3 = boto3.client("s3", endpoint_url=moto_server)
        output = large_output(
            EntityResolutionMock(), EntityResolutionJobs(endpoint_url=moto_server), s3
        )
        written, ranges = [0], []
        tasks: list[asyncio.Future[list[Path]]] = []

        def cancel_later(_part: object, size: int) -> None:
            written[0] += size
            if written[0] > 3 * PIECE:
                tasks[0].cancel()

        def record(params: dict[str, Any], **_: object) -> None:
            ranges.append(params.get("Range", "-"))

        async def main() -> list[Path]:
            async with AsyncEntityResolutionJobs(endpoint_url=moto_server) as er:
                tasks.append(
                    asyncio.ensure_future(
                        er.download_job_output(output, tmp_path, on_progress=cancel_later)
                    )
                )
                with pytest.raises(asyncio.CancelledError):
                    await tasks[0]
                (await er._s3()).meta.events.register("provide-client-params.s3.GetObject", record)
                return await er.download_job_output(output, tmp_path)

        paths = asyncio.run(main())

        assert paths[0].read_bytes() == content(s3, output.success[0].key)
        assert 3 * PIECE < written[0] < SIZE  # it stopped partway
        assert bytes_asked(ranges) == SIZE - written[0]  # and resumed after what it wrote
        leftovers = [p for p in tmp_path.rglob("*") if p.suffix in (".download", ".done")]
        assert leftovers == []


class TestChecks:
    def test_a_file_replaced_since_the_listing_is_refused(
        self, er: EntityResolutionJobs, s3: Any, output: JobOutput, tmp_path: Path
    ) -> None:
        s3.put_object(Bucket=BUCKET, Key=output.success[0].key, Body=os.urandom(SIZE))

        with pytest.raises(ResponseError, match="changed since it was listed"):
            er.download_job_output(output, tmp_path)

        assert not (tmp_path / "success" / "part-00000.csv").exists()

    def test_a_file_fetched_whole_whose_md5_is_not_the_etag_is_refused(
        self, er: EntityResolutionJobs, s3: Any, output: JobOutput, tmp_path: Path
    ) -> None:
        small = output.errors[0]
        assert small.etag == hashlib.md5(content(s3, small.key)).hexdigest()

        class Garbled:
            def __init__(self, body: Any) -> None:
                self._body = body

            def read(self, size: int) -> bytes:
                return bytes(b ^ 1 for b in self._body.read(size))

            def close(self) -> None:
                self._body.close()

        def garble(parsed: dict[str, Any], **_: object) -> None:
            if parsed.get("ContentLength") == small.size:
                parsed["Body"] = Garbled(parsed["Body"])

        er._s3().meta.events.register("after-call.s3.GetObject", garble)

        with pytest.raises(
            ResponseError, match=r"error/part-00000.csv is not what S3 holds: its MD5"
        ):
            er.download_job_output(output, tmp_path, max_concurrency=1)

        assert not list((tmp_path / "error").iterdir())  # nothing half-trusted is kept

    def test_a_whole_file_read_again_after_a_break_still_matches_its_md5(
        self, er: EntityResolutionJobs, s3: Any, output: JobOutput, tmp_path: Path,
        monkeypatch: pytest.MonkeyPatch,
    ) -> None:  # fmt: skip
        monkeypatch.setattr(_downloads, "PIECE_SIZE", 4 * SIZE)  # one GET for the file
        ranges = record_gets(er)
        break_streams(er, after=5000, times=1)

        paths = er.download_job_output(output, tmp_path, max_concurrency=1)

        assert paths[0].read_bytes() == content(s3, output.success[0].key)
        assert ranges[:2] == ["-", f"bytes=5000-{SIZE - 1}"]


@pytest.fixture
def cut_twice(
    moto_server: str, monkeypatch: pytest.MonkeyPatch
) -> Iterator[tuple[NetworkProxy, JobOutput, Any]]:
    """The fake's S3 behind a proxy that resets the first two large replies midway.

    Yields the proxy, a job's output (as `large_output`), and an S3 client
    that reaches the fake directly.
    """
    upstream = moto_server.removeprefix("http://")
    with NetworkProxy(upstream, cut_after=PIECE // 8, cuts=2).running() as proxy:
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", proxy.url)
        s3 = boto3.client("s3", endpoint_url=moto_server)
        er = EntityResolutionJobs(endpoint_url=moto_server)
        yield proxy, large_output(EntityResolutionMock(), er, s3), s3


class TestOverARealSocket:
    def test_a_connection_cut_midway_is_survived(
        self, cut_twice: tuple[NetworkProxy, JobOutput, Any], moto_server: str, tmp_path: Path
    ) -> None:
        proxy, output, s3 = cut_twice

        paths = EntityResolutionJobs(endpoint_url=moto_server).download_job_output(
            output, tmp_path, max_concurrency=3
        )

        assert proxy.cut == 2
        assert paths[0].read_bytes() == content(s3, output.success[0].key)

    def test_the_async_shell_downloads_in_ranges_and_survives_a_cut_connection(
        self, cut_twice: tuple[NetworkProxy, JobOutput, Any], moto_server: str, tmp_path: Path
    ) -> None:
        proxy, output, s3 = cut_twice
        progress: list[int] = []

        async def main() -> list[Path]:
            async with AsyncEntityResolutionJobs(endpoint_url=moto_server) as er:
                return await er.download_job_output(
                    output, tmp_path, on_progress=lambda _f, n: progress.append(n)
                )

        paths = asyncio.run(main())

        assert proxy.cut == 2
        assert proxy.gets >= 11 + 1 + 2  # a GET a range (or more), the small part, retries
        assert proxy.connections >= 1 + 2  # each cut connection replaced
        assert paths[0].read_bytes() == content(s3, output.success[0].key)
        assert sum(progress) == output.total_size

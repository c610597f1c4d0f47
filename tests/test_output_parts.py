"""Reading a job's output, the I/O-free part: where its files are, which keys, their rows."""

from __future__ import annotations

import gzip
import io
from typing import Any

import pytest
from botocore.exceptions import ClientError
from pydantic import ValidationError

from entityresolution_jobs import (
    AccessDeniedError,
    InternalServerError,
    InvalidInputError,
    JobStatus,
    MatchingJob,
    OutputSource,
    ResourceNotFoundError,
    ResponseError,
    ServiceError,
    ThrottlingError,
)
from entityresolution_jobs._errors import translate_s3
from entityresolution_jobs._output import JobOutput, Location, OutputFile, OutputSearch, part_kind
from entityresolution_jobs._records import iter_rows

JOB = "0123456789abcdef0123456789abcdef"
SUCCEEDED = MatchingJob(
    job_id=JOB,
    status=JobStatus.SUCCEEDED,
    start_time="2026-12-01T00:00:00Z",
    output_sources=(
        OutputSource(role_arn="arn:aws:iam::1:role/r", output_s3_path="s3://out-bucket/er"),
    ),
)


class TestLocation:
    @pytest.mark.parametrize(
        ("uri", "bucket", "prefix"),
        [
            ("s3://out-bucket/er/customers/", "out-bucket", "er/customers/"),
            ("s3://out-bucket/er/customers", "out-bucket", "er/customers/"),
            ("s3://out-bucket/", "out-bucket", ""),
            ("s3://out-bucket", "out-bucket", ""),
        ],
    )
    def test_an_s3_uri_gives_the_bucket_and_a_folder_prefix(
        self, uri: str, bucket: str, prefix: str
    ) -> None:
        assert Location.parse(uri) == Location(bucket, prefix)

    @pytest.mark.parametrize("uri", ["https://out-bucket/er", "out-bucket/er", "s3://", "s3://A/x"])
    def test_anything_else_is_invalid_input(self, uri: str) -> None:
        with pytest.raises(InvalidInputError, match="not an S3 location"):
            Location.parse(uri)

    def test_the_job_folder_sits_right_under_the_location(self) -> None:
        folder = Location.parse("s3://out-bucket/er/customers").job_folder(JOB)

        assert folder.uri == f"s3://out-bucket/er/customers/{JOB}/"

    def test_a_deeper_job_folder_is_looked_for_in_each_listed_subfolder(self) -> None:
        location = Location.parse("s3://out-bucket/er/")
        listed = ["er/customers/", "er/suppliers/", "other/x/", "er/"]

        folders = location.job_folders_below(listed, JOB)

        assert [f.uri for f in folders] == [
            f"s3://out-bucket/er/customers/{JOB}/",
            f"s3://out-bucket/er/suppliers/{JOB}/",
        ]


class TestPartKind:
    folder = Location("out-bucket", f"er/{JOB}/")

    @pytest.mark.parametrize(
        ("key", "kind"),
        [
            (f"er/{JOB}/success/part-00000.csv", "success"),
            (f"er/{JOB}/success/nested/part-1.csv.gz", "success"),
            (f"er/{JOB}/error/part-00000.csv", "error"),
            (f"er/{JOB}/success/", None),  # a folder marker
            (f"er/{JOB}/manifest.json", None),  # beside the two folders
            (f"er/{JOB}/successes/part.csv", None),
            (f"er/{JOB[:-1]}0/success/part.csv", None),  # another job
            ("er/success/part.csv", None),  # outside the job's folder
        ],
    )
    def test_only_files_in_the_success_and_error_folders_are_parts(
        self, key: str, kind: str | None
    ) -> None:
        assert part_kind(self.folder, key) == kind


class ChunkedBody:
    """A streaming body that hands out at most ``chunk`` bytes a read, counting them."""

    def __init__(self, data: bytes, chunk: int = 1000) -> None:
        self._data = io.BytesIO(data)
        self._chunk = chunk
        self.largest_read = 0

    def read(self, amt: int | None = None, /) -> bytes:
        size = self._chunk if amt is None else min(amt, self._chunk)
        self.largest_read = max(self.largest_read, size)
        return self._data.read(size)


CSV = 'RecordId,name,MatchID\n1,Ann,m1\n2,"Bo, Jr.",m1\n3,Cy,m2\n'


class TestRows:
    def test_a_csv_part_streams_its_rows_as_dicts_by_header(self) -> None:
        rows = list(iter_rows(ChunkedBody(CSV.encode()), "k"))

        assert rows == [
            {"RecordId": "1", "name": "Ann", "MatchID": "m1"},
            {"RecordId": "2", "name": "Bo, Jr.", "MatchID": "m1"},
            {"RecordId": "3", "name": "Cy", "MatchID": "m2"},
        ]

    def test_a_gzip_part_is_decompressed_as_it_streams(self) -> None:
        rows = list(iter_rows(ChunkedBody(gzip.compress(CSV.encode())), "k.gz"))

        assert [row["name"] for row in rows] == ["Ann", "Bo, Jr.", "Cy"]

    def test_a_large_part_is_read_a_buffer_at_a_time_and_lazily(self) -> None:
        data = ("id,value\n" + "".join(f"{i},{'x' * 90}\n" for i in range(50_000))).encode()
        body = ChunkedBody(data, chunk=1 << 20)
        rows = iter_rows(body, "k")

        first = next(rows)

        assert first == {"id": "0", "value": "x" * 90}
        assert body.largest_read <= 64 * 1024  # a buffer, never the ~4.6 MB part
        assert sum(1 for _ in rows) == 49_999

    def test_a_short_row_fills_missing_columns_with_empty_text(self) -> None:
        (row,) = iter_rows(ChunkedBody(b"a,b,c\n1,2\n"), "k")

        assert row == {"a": "1", "b": "2", "c": ""}

    @pytest.mark.parametrize(
        ("data", "found"),
        [
            (b"PAR1\x15\x04\x15\x00", "is Parquet, not CSV"),
            (b"Obj\x01\x04\x14avro", "is Avro, not CSV"),
            (b"\x00\x01\x02binary", "is binary, not CSV"),
        ],
    )
    def test_a_part_in_another_format_is_an_error_naming_the_key_and_format(
        self, data: bytes, found: str
    ) -> None:
        with pytest.raises(ResponseError, match=f"output part out/part-7 {found}"):
            list(iter_rows(ChunkedBody(data), "out/part-7"))

    def test_a_gzip_part_holding_parquet_is_named_as_parquet(self) -> None:
        with pytest.raises(ResponseError, match="is Parquet"):
            list(iter_rows(ChunkedBody(gzip.compress(b"PAR1....")), "k"))

    def test_text_that_is_not_utf8_is_an_error_naming_the_key(self) -> None:
        with pytest.raises(ResponseError, match="output part k is not UTF-8 text"):
            list(iter_rows(ChunkedBody("id,name\n1,Zoë\n".encode("latin-1")), "k"))

    def test_a_field_past_csvs_size_limit_is_an_error_naming_the_key(self) -> None:
        data = b"a,b\n1," + b"x" * 200_000 + b"\n"  # csv's default limit: 128 KiB a field

        with pytest.raises(ResponseError, match="output part k is not readable CSV"):
            list(iter_rows(ChunkedBody(data), "k"))


class TestDecoderEdges:
    QUOTED = 'id,note\n1,"two\nlines, and ""quotes"""\n2,plain\r\n3,"\r\nx"\n'

    @pytest.mark.parametrize("chunk", [1, 2, 3, 5, 8, 13, 1000])
    def test_quoted_newlines_survive_every_chunk_boundary(self, chunk: int) -> None:
        rows = list(iter_rows(ChunkedBody(self.QUOTED.encode(), chunk), "k"))

        assert rows == [
            {"id": "1", "note": 'two\nlines, and "quotes"'},
            {"id": "2", "note": "plain"},
            {"id": "3", "note": "\r\nx"},
        ]

    def test_a_byte_order_mark_and_blank_lines_are_not_data(self) -> None:
        data = "\ufeffid,name\n\n1,Zoë\n\n".encode()

        assert list(iter_rows(ChunkedBody(data, 3), "k")) == [{"id": "1", "name": "Zoë"}]

    def test_concatenated_gzip_members_read_as_one_part(self) -> None:
        data = gzip.compress(b"id\n1\n") + gzip.compress(b"2\n")

        assert list(iter_rows(ChunkedBody(data, 4), "k")) == [{"id": "1"}, {"id": "2"}]

    def test_a_gzip_part_cut_short_is_an_error_naming_the_key(self) -> None:
        data = gzip.compress(b"id\n" + b"1\n" * 10_000)[:-20]

        with pytest.raises(ResponseError, match="output part k ends inside its gzip stream"):
            list(iter_rows(ChunkedBody(data), "k"))

    def test_a_row_longer_than_the_header_is_an_error(self) -> None:
        with pytest.raises(ResponseError, match="a row has 3 fields, the header 2"):
            list(iter_rows(ChunkedBody(b"a,b\n1,2,3\n"), "k"))

    def test_a_quoted_field_never_closed_is_an_error(self) -> None:
        with pytest.raises(ResponseError, match="a quoted field is never closed"):
            list(iter_rows(ChunkedBody(b'a,b\n1,"open\n'), "k"))

    def test_a_record_without_end_is_refused_past_a_bound(
        self, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        monkeypatch.setattr("entityresolution_jobs._records._MAX_RECORD", 10_000)

        with pytest.raises(ResponseError, match="a record longer than 10000 characters"):
            list(iter_rows(ChunkedBody(b'a\n"' + b"x" * 20_000), "k"))

    def test_an_empty_part_has_no_rows(self) -> None:
        assert list(iter_rows(ChunkedBody(b""), "k")) == []
        assert list(iter_rows(ChunkedBody(b"id,name\n"), "k")) == []


class TestS3ErrorTranslation:
    @pytest.mark.parametrize(
        ("code", "status", "klass"),
        [
            ("AccessDenied", 403, AccessDeniedError),
            ("NoSuchBucket", 404, ResourceNotFoundError),
            ("NoSuchKey", 404, ResourceNotFoundError),
            ("SlowDown", 503, ThrottlingError),
            ("InternalError", 500, InternalServerError),
            ("InvalidObjectState", 403, ServiceError),
        ],
    )
    def test_s3_codes_become_our_classes_naming_the_subject(
        self, code: str, status: int, klass: type[ServiceError]
    ) -> None:
        reply: Any = {
            "Error": {"Code": code, "Message": "nope"},
            "ResponseMetadata": {"HTTPStatusCode": status, "RequestId": "r-1"},
        }
        raw = ClientError(reply, "ListObjectsV2")

        error = translate_s3(raw, "ListObjectsV2", "s3://out-bucket/er/")

        assert type(error) is klass
        assert isinstance(error, ServiceError)
        assert (error.code, error.http_status, error.request_id) == (code, status, "r-1")
        assert str(error).startswith("S3 ListObjectsV2 of s3://out-bucket/er/: nope")


class TestSearch:
    def test_a_page_that_is_not_a_listing_is_a_response_error(self) -> None:
        search = OutputSearch(SUCCEEDED, partial=False)
        search.next_listing()

        with pytest.raises(ResponseError, match="returned a reply that is not a listing"):
            search.take({"Contents": [{"Key": 5}]})

    def test_the_search_asks_for_nothing_more_once_a_folder_holds_anything(self) -> None:
        search = OutputSearch(SUCCEEDED, partial=False)
        listing = search.next_listing()
        assert listing is not None
        assert listing.params == {"Bucket": "out-bucket", "Prefix": f"er/{JOB}/"}
        marker = {"Key": f"er/{JOB}/_SUCCESS", "Size": 0, "LastModified": "2026-12-01T00:00:00Z"}

        search.take({"Contents": [marker]})

        assert search.next_listing() is None
        assert search.result().files == ()

    def test_ten_thousand_parts_over_ten_pages_are_kept_in_key_order(self) -> None:
        search = OutputSearch(SUCCEEDED, partial=False)
        assert search.next_listing() is not None
        keys = [f"er/{JOB}/success/part-{i:05d}.csv" for i in range(10_000)]
        for page in range(10):
            contents = [
                {"Key": key, "Size": 10, "LastModified": "2026-12-01T00:00:00Z"}
                for key in reversed(keys[page * 1000 : (page + 1) * 1000])
            ]
            search.take({"Contents": contents, "KeyCount": len(contents)})

        assert search.next_listing() is None
        output = search.result()
        assert [part.key for part in output.success] == keys
        assert output.total_size == 100_000

    def test_keys_outside_the_folder_asked_for_are_never_taken(self) -> None:
        search = OutputSearch(SUCCEEDED, partial=False)
        search.next_listing()
        stray = {"Key": "er/other/success/x.csv", "Size": 1, "LastModified": "2026-12-01T00:00:00Z"}

        search.take({"Contents": [stray]})

        assert search.next_listing() is not None  # nothing found there: the subfolders next

    def test_the_search_is_driven_in_order(self) -> None:
        search = OutputSearch(SUCCEEDED, partial=False)

        with pytest.raises(RuntimeError, match="take"):
            search.take({})
        search.next_listing()
        with pytest.raises(RuntimeError, match="result"):
            search.result()


class TestJobOutputModel:
    def test_files_without_a_folder_are_refused(self) -> None:
        part = {
            "bucket": "b",
            "key": "k/success/p",
            "size": 1,
            "last_modified": "2026-12-01T00:00:00Z",
        }

        with pytest.raises(ValidationError, match="files without a folder"):
            JobOutput(job_id=JOB, status=JobStatus.RUNNING, success=(part,))

    def test_a_files_key_is_read_below_the_folder(self) -> None:
        part = OutputFile(
            bucket="out-bucket",
            key=f"er/{JOB}/error/p.csv",
            size=1,
            last_modified=SUCCEEDED.start_time,
        )
        output = JobOutput(
            job_id=JOB,
            status=JobStatus.SUCCEEDED,
            folder=f"s3://out-bucket/er/{JOB}/",
            errors=(part,),
        )

        assert output.relative_key(part) == "error/p.csv"
        assert JobOutput(job_id=JOB, status=JobStatus.RUNNING).relative_key(part) == part.key


@pytest.mark.parametrize("where", ["at its start", "in a later member"])
def test_corrupt_gzip_is_an_error_naming_the_key(where: str) -> None:
    broken = gzip.compress(b"")[:10] + b"\xff" * 20  # a deflate block of no known type
    data = broken if where == "at its start" else gzip.compress(b"id\n1\n" * 2000) + broken

    with pytest.raises(ResponseError, match="output part k is not valid gzip"):
        list(iter_rows(ChunkedBody(data, 4), "k"))


def test_blank_lines_before_the_header_are_skipped() -> None:
    assert list(iter_rows(ChunkedBody(b"\n\n\nid\n1\n", 2), "k")) == [{"id": "1"}]

"""Reading a job's output, the I/O-free part: where its files are, which keys, their rows."""

from __future__ import annotations

import gzip
import io

import pytest

from entityresolution_jobs import InvalidInputError, ResponseError
from entityresolution_jobs._output import Location, part_kind
from entityresolution_jobs._records import iter_rows

JOB = "0123456789abcdef0123456789abcdef"


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

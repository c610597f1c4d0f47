"""``--output`` and ``--query``: the read commands' machine output, as the AWS CLI writes it.

A read command builds one document (what ``--json`` prints: the service's
names, ISO 8601 time stamps), applies the ``--query`` JMESPath expression
to it, and writes the result as ``json`` (4-space indent), ``text``
(tab-separated scalars, a line per item: the AWS CLI's text rules),
``table`` or ``yaml``. Without ``--output``, ``--query`` or ``--json``,
commands print their human form instead.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import datetime
from enum import Enum
from typing import TYPE_CHECKING, Annotated, cast

import typer

from ._common import EXIT_USAGE

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    import jmespath.parser
    from rich.table import Table

Document = object  # what JSON holds: dicts, lists, text, numbers, booleans, None


class OutputFormat(str, Enum):
    """The formats ``--output`` offers, as the AWS CLI names them."""

    JSON = "json"
    TEXT = "text"
    TABLE = "table"
    YAML = "yaml"


JsonOpt = Annotated[
    bool, typer.Option("--json", help="Print JSON as `aws entityresolution` would (--output json).")
]
OutputOpt = Annotated[
    OutputFormat | None,
    typer.Option(
        "--output",
        metavar="FORMAT",
        help="json, text, table or yaml, as the AWS CLI writes them (default: a human form).",
    ),
]
QueryOpt = Annotated[
    str | None,
    typer.Option(
        "--query",
        metavar="JMESPATH",
        help="A JMESPath expression applied to the JSON output, e.g. status (implies json).",
    ),
]


@dataclass(frozen=True)
class Rendering:
    """How a read command prints: a human form, or a document in a format.

    ``format`` None is the human form; ``query`` a compiled JMESPath
    expression, or None.
    """

    format: OutputFormat | None = None
    query: jmespath.parser.ParsedResult | None = None

    @property
    def machine(self) -> bool:
        """Whether the command prints a document (json, text, table, yaml), not its human form."""
        return self.format is not None

    def emit(self, document: Mapping[str, object]) -> None:
        """Query ``document`` and print it on stdout in the format."""
        data: Document = json.loads(json.dumps(document, default=iso))
        if self.query is not None:
            data = self.query.search(data)
        match self.format:
            case OutputFormat.TEXT:
                for line in text_lines(data):
                    typer.echo(line)
            case OutputFormat.TABLE:
                from rich.console import Console  # noqa: PLC0415 - only for --output table

                console = Console(highlight=False, soft_wrap=True)
                for table in tables(data, title=None):
                    console.print(table)
            case OutputFormat.YAML:
                import yaml  # noqa: PLC0415 - only for --output yaml

                # types-PyYAML leaves safe_dump's keyword arguments partly untyped.
                dumped: str = yaml.safe_dump(data, sort_keys=False, allow_unicode=True)  # pyright: ignore[reportUnknownMemberType]
                typer.echo(dumped, nl=False)
            case _:
                typer.echo(json.dumps(data, indent=4))


HUMAN = Rendering()
"""The human form every command prints by default."""


def rendering(as_json: bool, output: OutputFormat | None, query: str | None) -> Rendering:
    """The rendering the options ask for; a bad expression or a clash exits 2 in one line."""
    if as_json and output not in (None, OutputFormat.JSON):
        _usage(f"--json is --output json; it cannot go with --output {output.value}")
    compiled = None
    if query is not None:
        import jmespath  # noqa: PLC0415 - only for --query
        from jmespath.exceptions import JMESPathError  # noqa: PLC0415

        try:
            compiled = jmespath.compile(query)
        except JMESPathError as error:
            # Its text spans lines (the expression, a caret); one line here.
            reason = str(error).splitlines()[0].rstrip(":")
            column = getattr(error, "lex_position", None)
            where = f" at column {column}" if isinstance(column, int) else ""
            _usage(f"bad --query expression {query!r}{where}: {reason}")
    if output is None and (as_json or query is not None):
        output = OutputFormat.JSON
    return Rendering(output, compiled)


def _usage(message: str) -> None:
    typer.echo(f"er-jobs: {message}", err=True)
    raise typer.Exit(EXIT_USAGE)


def iso(value: object) -> str:
    """A time stamp in ISO 8601, for `json.dumps`; TypeError for anything else."""
    if isinstance(value, datetime):
        return value.isoformat()
    raise TypeError(f"cannot write {type(value).__name__} as JSON")


def _scalar(value: object) -> str:
    # As the AWS CLI writes a scalar in text: Python's str of the JSON value.
    return str(value)


def text_lines(data: Document, identifier: str | None = None) -> Iterator[str]:
    """``data`` as the AWS CLI's text output: tab-separated scalars, a line per item.

    A dict writes its scalars on one line (sorted by key, after the
    upper-cased name it sits under, if any), then each nested value under
    its key's name; a list of dicts writes a line per dict with the same
    columns (every scalar key any of them has); a list of scalars one line
    (tab-separated), or under a name a line per item.
    """
    if isinstance(data, dict):
        yield from _dict_lines(cast("dict[str, object]", data), identifier, None)
    elif isinstance(data, list):
        yield from _list_lines(cast("list[object]", data), identifier)
    else:
        yield _scalar(data)


def _dict_lines(
    data: dict[str, object], identifier: str | None, columns: list[str] | None
) -> Iterator[str]:
    # ``columns``: the scalar keys of the list this dict is an item of, so
    # that every item's line has the same columns.
    if columns is None:
        scalars = [_scalar(value) for _, value in sorted(data.items()) if not _nested(value)]
        nested = sorted(key for key, value in data.items() if _nested(value))
    else:
        scalars = [_scalar(data.get(key, "")) for key in columns]
        nested = sorted(set(data) - set(columns))
    if scalars:
        yield "\t".join([identifier.upper(), *scalars] if identifier else scalars)
    for key in nested:
        yield from text_lines(data[key], key)


def _list_lines(items: list[object], identifier: str | None) -> Iterator[str]:
    if not items:
        return
    if any(isinstance(item, dict) for item in items):
        dicts = [cast("dict[str, object]", item) for item in items if isinstance(item, dict)]
        columns = sorted(
            {key for item in dicts for key, value in item.items() if not _nested(value)}
        )
        for item in items:
            if isinstance(item, dict):
                yield from _dict_lines(cast("dict[str, object]", item), identifier, columns)
            else:
                yield from text_lines(item, identifier)
        return
    scalars = [item for item in items if not _nested(item)]
    if scalars:
        if identifier:
            yield from (f"{identifier.upper()}\t{_scalar(item)}" for item in scalars)
        else:
            yield "\t".join(_scalar(item) for item in scalars)
    for item in items:
        if _nested(item):
            yield from text_lines(item, identifier)


def _nested(value: object) -> bool:
    return isinstance(value, (dict, list))


def tables(data: Document, title: str | None) -> Iterator[Table]:
    """``data`` as tables, in the AWS CLI's table layout.

    A dict's scalars make a two-column table (name, value), its nested
    values follow as tables titled by their key; a list of dicts makes one
    table with a column per scalar key; a scalar, a one-cell table.
    """
    if isinstance(data, dict):
        fields = cast("dict[str, object]", data)
        scalars = {key: value for key, value in fields.items() if not _nested(value)}
        if scalars:
            table = _table(title, header=False, columns=["name", "value"])
            for key, value in scalars.items():
                table.add_row(key, _scalar(value))
            yield table
        for key, value in fields.items():
            if _nested(value):
                yield from tables(value, key if title is None else f"{title}.{key}")
    elif isinstance(data, list):
        items = cast("list[object]", data)
        dicts = [cast("dict[str, object]", item) for item in items if isinstance(item, dict)]
        if dicts:
            columns = list(
                dict.fromkeys(
                    key for item in dicts for key, value in item.items() if not _nested(value)
                )
            )
            table = _table(title, header=True, columns=columns)
            for row in dicts:
                table.add_row(*(_scalar(row.get(column, "")) for column in columns))
            yield table
        others = [item for item in items if not isinstance(item, dict)]
        if others:
            table = _table(title, header=False, columns=["value"])
            for item in others:
                table.add_row(json.dumps(item) if _nested(item) else _scalar(item))
            yield table
    else:
        table = _table(title, header=False, columns=["value"])
        table.add_row(_scalar(data))
        yield table


def _table(title: str | None, *, header: bool, columns: list[str]) -> Table:
    # Long values (ARNs, S3 URIs) fold onto more lines rather than lose their end.
    from rich.table import Table  # noqa: PLC0415 - only for --output table

    table = Table(title=title, show_header=header)
    for column in columns:
        table.add_column(column, overflow="fold")
    return table

"""Help that reads like other command lines': ``WORKFLOW JOB_ID``, not ``{workflow} <str>``.

Typer (0.29) prints each positional argument with its Python type
(``workflow <str>``) and a required one in braces in the usage line. The
commands of er-jobs use `PlainCommand`, whose arguments print their
metavar alone (``WORKFLOW``, ``[JOB_ID]...``); the apps use Click's plain
formatting (``rich_markup_mode=None``), where flags stand bare and options
show their metavar (``--timeout SECONDS``).
"""

from __future__ import annotations

from typer.core import TyperArgument, TyperCommand


class PlainArgument(TyperArgument):
    """A positional argument shown by its metavar alone."""

    def display_type_rich(self, ctx: object) -> str | None:
        """No ``<str>`` after the name."""
        return None

    def _usage_display_name(self) -> str:
        # WORKFLOW when required, [JOB_ID]... when optional and repeatable.
        name = self.display_name_raw if self.required else f"[{self.display_name_raw}]"
        return name if self.nargs == 1 else f"{name}..."


GLOBAL_OPTIONS_NOTE = (
    "Global options (--region, --profile, --endpoint-url, --debug) may come before or "
    "after the command."
)


class PlainCommand(TyperCommand):
    """A command whose positional arguments are `PlainArgument` s.

    Its help ends with a note on the global options, which it accepts too.
    """

    def __init__(self, *args: object, **kwargs: object) -> None:
        if kwargs.get("epilog") is None:  # Typer passes epilog=None when none is given
            kwargs["epilog"] = GLOBAL_OPTIONS_NOTE
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for param in self.params:
            if type(param) is TyperArgument:
                param.__class__ = PlainArgument

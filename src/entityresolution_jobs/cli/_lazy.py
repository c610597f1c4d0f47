"""Command groups that build a command, and import its module, only when it is used.

Typer builds a command by reading its function's signature, and each
command's module imports what it runs on (``output`` the library's S3
output models, ``demo`` and ``fake-server`` the testing extra). Building
every command on every run cost ``er-jobs get`` a tenth of its start-up;
a run needs the one command on its line (``--help`` lists them all, and
builds them all).
"""

from __future__ import annotations

import importlib
from difflib import get_close_matches
from functools import cached_property
from typing import TYPE_CHECKING, ClassVar, Protocol, cast

import typer

# Typer's own copy of Click, whose classes its groups take, return and raise.
from typer._click.exceptions import UsageError
from typer.core import TyperGroup

if TYPE_CHECKING:
    from collections.abc import Mapping

    from typer._click import Command, Context


class CommandModule(Protocol):
    """A module of commands: it adds the one asked for to a Typer app."""

    def add_command(self, app: typer.Typer, name: str, *, id_mapping: bool) -> None:
        """Add command ``name`` (for ID mapping jobs if ``id_mapping``) to ``app``."""


class LazyGroup(TyperGroup):
    """A Typer group whose commands named in `lazy_commands` are built on first use.

    A subclass names its commands, in the order help lists them, and the
    module (relative to this package) that adds each; commands Typer
    registered the usual way (a sub-app) follow them.
    """

    lazy_commands: ClassVar[Mapping[str, str]] = {}
    id_mapping: ClassVar[bool] = False

    @cached_property
    def _built(self) -> dict[str, Command]:
        return {}

    def list_commands(self, ctx: Context) -> list[str]:
        """The lazy commands' names, then the registered ones'."""
        return [*self.lazy_commands, *super().list_commands(ctx)]

    def get_command(self, ctx: Context, cmd_name: str) -> Command | None:
        """The command called ``cmd_name``, built now if it is lazy and new."""
        module_name = self.lazy_commands.get(cmd_name)
        if module_name is None:
            return super().get_command(ctx, cmd_name)
        built = self._built
        if cmd_name not in built:
            module = cast("CommandModule", importlib.import_module(module_name, __package__))
            # A Typer app of one command and no callback is that command.
            single = typer.Typer(rich_markup_mode=None, add_completion=False)
            module.add_command(single, cmd_name, id_mapping=self.id_mapping)
            built[cmd_name] = typer.main.get_command(single)
        return built[cmd_name]

    def resolve_command(
        self, ctx: Context, args: list[str]
    ) -> tuple[str | None, Command | None, list[str]]:
        """As Typer's, which suggests near names from the built commands only: all of them here."""
        try:
            return super().resolve_command(ctx, args)
        except UsageError as error:
            if self.suggest_commands and args and "Did you mean" not in error.message:
                matches = get_close_matches(args[0], self.list_commands(ctx))
                if matches:
                    names = ", ".join(repr(match) for match in matches)
                    error.message = f"{error.message.rstrip('.')}. Did you mean {names}?"
            raise

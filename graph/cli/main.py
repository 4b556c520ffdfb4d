"""The `l4a` command: the group and the explicit list of its commands (each defined in its own module)."""

from __future__ import annotations

import importlib
from pathlib import Path

import click

from l4a.graph.cli.common import EXIT_CODES, L4AGroup

# Each command by name: the module of graph/cli that defines it, and its name there. A command's module is imported
# only when that command runs (or help lists them all): `l4a evidence` does not load the suggester's numpy, the
# shapes' rdflib or the briefs' babel, a third of a second of every command's start.
COMMANDS: dict[str, tuple[str, str]] = {
    "build": ("data", "build_command"),
    "stats": ("data", "stats_command"),
    "hubs": ("hubs", "hubs_command"),
    "import": ("data", "import_command"),
    "export": ("data", "export_command"),
    "validate": ("validate", "validate_command"),
    "query": ("query", "query_group"),
    "related": ("sync", "related_command"),
    "partners": ("sync", "partners_command"),
    "communities": ("sync", "communities_command"),
    "network": ("sync", "network_command"),
    "evidence": ("evidence", "evidence_command"),
    "gaps": ("sync", "gaps_command"),
    "monitor": ("monitor", "monitor_group"),
    "brief": ("monitor", "brief_command"),
    "propose": ("proposals", "propose_command"),
    "proposals": ("proposals", "proposals_group"),
    "suggest": ("suggest", "suggest_command"),
    "suggestions": ("suggest", "suggestions_group"),
    "prepare": ("prepare", "prepare_command"),
    "serve": ("serve", "serve_command"),
}


class Commands(L4AGroup):
    """The group of COMMANDS, each imported when it is asked for."""

    def list_commands(self, ctx: click.Context) -> list[str]:
        return sorted(COMMANDS)

    def get_command(self, ctx: click.Context, cmd_name: str) -> click.Command | None:
        if cmd_name not in COMMANDS:
            return None
        module, name = COMMANDS[cmd_name]
        command: click.Command = getattr(importlib.import_module(f"l4a.graph.cli.{module}"), name)
        return command


@click.group(cls=Commands, epilog=EXIT_CODES)
@click.option("--data-dir", type=click.Path(file_okay=False, path_type=Path), help="Data directory (L4A_DATA_DIR).")
@click.option("--config", type=click.Path(dir_okay=False, path_type=Path), help="Config file (L4A_CONFIG).")
@click.version_option(package_name="l4a")
def main(data_dir: Path | None, config: Path | None) -> None:
    """The Local4Action Hub Graph: UCLG's Local4Action HUBs linked to the SDGs, the Durban manifestos and the
    Policy Councils.

    \b
    Example:
      l4a build && l4a stats
    """


if __name__ == "__main__":  # pragma: no cover
    main()

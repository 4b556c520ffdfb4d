"""The `l4a` command: the group and the explicit list of its commands (each defined in its own module)."""

from __future__ import annotations

from pathlib import Path

import click

from l4a.graph.cli import data, evidence, hubs, monitor, prepare, proposals, query, serve, suggest, sync, validate
from l4a.graph.cli.common import EXIT_CODES, L4AGroup


@click.group(cls=L4AGroup, epilog=EXIT_CODES)
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


COMMANDS: list[click.Command] = [
    data.build_command,
    data.stats_command,
    hubs.hubs_command,
    data.import_command,
    data.export_command,
    validate.validate_command,
    query.query_group,
    sync.related_command,
    sync.partners_command,
    sync.communities_command,
    sync.network_command,
    evidence.evidence_command,
    sync.gaps_command,
    monitor.monitor_group,
    monitor.brief_command,
    proposals.propose_command,
    proposals.proposals_group,
    suggest.suggest_command,
    suggest.suggestions_group,
    prepare.prepare_command,
    serve.serve_command,
]
for command in COMMANDS:
    main.add_command(command)

if __name__ == "__main__":  # pragma: no cover
    main()

"""`python -m l4a.graph.cli`: the `l4a` command."""

from l4a.graph.cli.main import main

main()

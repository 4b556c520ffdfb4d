"""The `l4a` command: one module per command group, registered in main.py; imports everything, imported by nothing."""

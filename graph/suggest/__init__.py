"""Suggested SDG goals/targets, manifestos and councils for a text, and their curation records.

May import numpy, pyoxigraph and l4a.graph's shared modules (namespaces, resources, errors, store); never the CLI
or the web.
"""

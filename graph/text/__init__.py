"""Text that l4a writes for people and programs alike: JSON laid out for reading, written fast (`json_text`).

It may import nothing of l4a: every layer above uses it (the CLI, the network, query results, validation reports).
"""

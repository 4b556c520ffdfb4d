"""Package data: the SHACL shapes, one Turtle file per target class."""

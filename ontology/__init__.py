"""Package data: the Local4Action OWL ontology, its vocabularies, the reference data and the verified hub records."""

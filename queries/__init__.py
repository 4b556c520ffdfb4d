"""Package data: the named SPARQL queries, one .rq file per query."""

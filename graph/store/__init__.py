"""The store layer: the Store protocol, embedded Oxigraph (its checkpoint and query workers), the remote SPARQL store
(HTTP, dialects), SPARQL text helpers, RDF formats, import/export; imports only the shared top-level modules.
"""

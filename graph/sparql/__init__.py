"""SPARQL for people and programs: named queries and their catalogue, the client-query check, the protocol layer,
tabular output; imports store/ and the shared modules.
"""

"""Proposals: reading submissions, mapping them to RDF, the SHACL gate, the lifecycle, reference look-ups, and what to
suggest while one is drafted; imports shacl/, store/ and the shared modules (`draft` also suggest/ and sync/).
"""

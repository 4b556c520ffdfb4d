"""Proposals: reading submissions, mapping them to RDF, the SHACL gate, the lifecycle, reference look-ups; imports
shacl/, store/ and the shared modules.
"""

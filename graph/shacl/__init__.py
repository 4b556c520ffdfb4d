"""The programme's rules: shapes loading, the SHACL-to-SPARQL compiler, validation and its reports; imports store/
and the shared modules.
"""

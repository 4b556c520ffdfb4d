"""Monitoring: the model, reading and writing observations, loading hubs' figures, SVG charts; imports shacl/, store/
and the shared modules.
"""

"""Reports for people: council and Venice City Solutions briefs, the dashboard, citations; imports sync/,
monitoring/, sparql/, store/ and the shared modules.
"""

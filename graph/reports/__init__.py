"""Reports for people: the hub table and a hub's page view, the home page's overview, council and Venice City
Solutions briefs, the dashboard, citations, and what `l4a prepare` computes after a write; imports sync/,
monitoring/, shacl/, sparql/, store/ and the shared modules.
"""

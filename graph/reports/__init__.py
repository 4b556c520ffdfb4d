"""Reports for people: the hub table and a hub's page view, the home page's overview, council and Venice City
Solutions briefs, the dashboard, citations; imports sync/, monitoring/, shacl/, sparql/, store/ and the shared modules.
"""

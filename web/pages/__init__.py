"""The site's pages: one blueprint per page type, over the plain core in l4a.graph and the web infrastructure beside
this package (render, negotiate, caches, forms, i18n); registered by l4a.web.app; each may import l4a.graph, the
infrastructure and l4a.web.state, never l4a.web.app.
"""

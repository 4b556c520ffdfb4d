"""The Flask front end of the Local4Action Hub Graph: the app factory (app.py), what it keeps between requests
(state.py), the infrastructure of pages (render, negotiate, caches, forms, i18n, security, rate limits) and the
pages themselves (pages/); imports l4a.graph, never the reverse.
"""

"""A brief lists thousands of hubs on a big store, so its page, JSON and Markdown are kept once rendered (per
language, day and toggle), and a write through the app makes the next request show the new state."""

from __future__ import annotations

from pathlib import Path

from l4a.web.page_cache import page_cache

from .webapp import make_app

COUNCIL = "resilient-regenerative-territories"
HUB = "https://example.org/kept-brief-test-hub"
INSERT = f"""PREFIX l4a: <https://w3id.org/l4a/ontology#>
PREFIX dcterms: <http://purl.org/dc/terms/>
INSERT DATA {{ GRAPH <{HUB}> {{
  <{HUB}> a l4a:Hub ; dcterms:title "Kept brief test hub"@en ;
    l4a:relevantCouncil <https://w3id.org/l4a/id/council/{COUNCIL}> }} }}"""


def test_brief_pages_are_kept_until_the_app_writes(tmp_path: Path) -> None:
    app = make_app(tmp_path, write_token="s3cret-token")
    client = app.test_client()
    paths = [f"/councils/{COUNCIL}/brief", f"/councils/{COUNCIL}/brief.json", f"/councils/{COUNCIL}/brief.md"]
    try:
        first = {path: client.get(path, query_string={"lang": "fr"}) for path in paths}
        assert all(answer.status_code == 200 for answer in first.values())
        kept = len(page_cache(app))
        assert kept >= 3  # the page, its JSON twin and the Markdown
        again = {path: client.get(path, query_string={"lang": "fr"}) for path in paths}
        for path in paths:
            assert again[path].data == first[path].data
            assert again[path].headers["Content-Type"] == first[path].headers["Content-Type"]
        assert again[paths[1]].get_json()["lang"] == "fr"
        english = client.get(paths[1], query_string={"lang": "en"}).get_json()
        assert english["lang"] == "en"  # another language is another page, not the kept French one
        assert HUB not in {h["iri"] for h in english["hubs"]}

        update = {"data": INSERT, "content_type": "application/sparql-update"}
        written = client.post("/sparql/update", headers={"Authorization": "Bearer s3cret-token"}, **update)
        assert written.status_code == 204
        after = client.get(paths[1], query_string={"lang": "fr"}).get_json()
        assert HUB in {h["iri"] for h in after["hubs"]}
        assert "Kept brief test hub" in client.get(paths[0], query_string={"lang": "fr"}).get_data(as_text=True)
        assert "Kept brief test hub" in client.get(paths[2], query_string={"lang": "fr"}).get_data(as_text=True)
    finally:
        app.extensions["l4a_store"].close()

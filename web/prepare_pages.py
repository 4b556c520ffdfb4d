"""The site's own whole-store values, computed by `l4a prepare` after a write (graph/reports/prepare.py), so that
the first requests after a start find them on disk (web/state.py PERSISTED, graph/store/derived.py) rather than
only when an earlier server run happened to compute them.

It reads the whole store's validation in every language, as a server's warm-up does, then asks the app itself,
in every language, for one page of each type (every GET route, its path's values taken from the site's own JSON)
and for every named query's example; for the few things that have pages of their own (councils, manifestos,
goals, targets, editions: each keeps its evidence and gaps), every one of them, HTML and JSON, in English; a
brief, made per language, every one in every language. What is prepared is what a page reads, by the very code that
reads it.
The pages and downloads of the whole store asked with only a language (the hub list, the evidence, the briefs, the
network; the lists' CSV and JSON) are kept whole beside the store (web/page_cache.py), the big ones with their gzip
twin (web/compressed.py: the walk asks as a browser does); of the others, only the values under them. A page
that fails is counted, and its route says why when a reader asks for it.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import Flask
from flask.testing import FlaskClient

from l4a.graph.errors import L4AError
from l4a.graph.i18n.words import LANGUAGES
from l4a.graph.settings import Settings
from l4a.graph.store.base import Store, is_current

# Routes no reader reaches without signing in or without a record of their own, and the static files.
SKIPPED = ("/static/", "/staff", "/propose/follow/", "/observations/new", "/ontology.")
EXTRA = ("/evidence?format=csv", "/search?q=water")  # query strings that choose another answer of a route
MANY = ("brief",)  # routes whose every value is made per language (a brief per council and edition, per language)
FEW = {("councils", "slug"), ("manifestos", "slug"), ("", "edition"), ("", "number"), ("", "notation")}


@dataclass
class Walked:
    """What preparing the pages did: the paths asked for (one per language) and those that answered an error."""

    asked: int = 0
    failed: list[str] = field(default_factory=list)


def prepare_pages(store: Store, settings: Settings) -> Walked:
    """Ask an app on `store` for every page type in every language (see the module's text); an error naming the
    pages that did not answer, once every other page is prepared."""
    from l4a.web.app import create_app
    from l4a.web.state import store_reports

    # L4A_TWINS_AT_ONCE: a big file kept beside the store gets its gzip twin before its page answers (web/compressed.py)
    at_once = {"L4A_PREPARE_SECONDS": None, "L4A_TWINS_AT_ONCE": True}
    app = create_app(settings=settings, store=store, test_config=at_once)
    for lang in LANGUAGES:  # what a server's warm-up reads first (web/state.py warm_reports)
        store_reports(app, lang)
    client = app.test_client()
    walked = Walked()
    for path, languages in page_paths(app, client):
        if not is_current(store):  # a write landed: the rest would be made for an old state (`l4a prepare`
            break  # starts again on the new one), and a read-only snapshot's files may be gone under it
        for lang in languages:
            answer = client.get(f"{path}{'&' if '?' in path else '?'}lang={lang}", headers={"Accept-Encoding": "gzip"})
            answer.get_data()  # a download streams: what it reads is read only as it is sent
            answer.close()
            walked.asked += 1
            if answer.status_code >= 400:  # a linked-data address answers 303 (see other: its page or its data)
                walked.failed.append(f"{path} ({lang}): HTTP {answer.status_code}")
    for state in ("l4a_pages", "l4a_answers"):  # this app's memory of what it rendered: let go at once
        app.extensions.pop(state, None)
    if walked.failed:
        more = len(walked.failed) - 5
        shown = "; ".join(walked.failed[:5]) + (f"; and {more} more" if more > 0 else "")
        raise L4AError(f"{len(walked.failed)} of {walked.asked} pages did not answer: {shown}.")
    return walked


def prepare_hub_pack(store: Store, settings: Settings) -> int:
    """Every hub's page, in the site's first language, and every hub's related list, kept in one file for the
    store's state and today (web/hub_pack.py); the number of answers kept."""
    from l4a.graph.namespaces import record_iri
    from l4a.web.app import create_app
    from l4a.web.hub_pack import write_pack
    from l4a.web.state import app_index, store_reports

    app = create_app(settings=settings, store=store, test_config={"L4A_PREPARE_SECONDS": None})
    lang = settings.languages[0]
    store_reports(app, lang)  # what a hub page shows of the validation, read once for all of them
    prefix = record_iri(settings.base_iri, "hub", "")
    slugs = sorted(iri[len(prefix) :] for iri in app_index(app).hubs if iri.startswith(prefix))
    return write_pack(app, [slug for slug in slugs if slug and "/" not in slug], lang)


def page_paths(app: Flask, client: FlaskClient) -> Iterator[tuple[str, tuple[str, ...]]]:
    """Each path to ask for, with its languages: one path per GET route in every language; for the routes of a
    council, a manifesto, a goal, a target or an edition (what each keeps of its own: its evidence, its gaps), every
    value in English too, and every value of a brief in every language (a brief is made per language); then the
    named queries' examples."""
    values = _values(client)
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if "GET" not in (rule.methods or ()) or any(part in rule.rule for part in SKIPPED):
            continue
        kinds = [(_kind(rule.rule, name), name) for name in rule.arguments]
        choices = [values.get(kind, []) for kind in kinds]
        if any(not found for found in choices):
            continue  # a value the store has none of (no council yet): nothing of that route to prepare
        # Not a hub (10k of them): each value of the route, its JSON twin too (at 100k hubs a brief's JSON is 15 MB:
        # asked as a browser asks, it is kept beside the store with its gzip twin, web/compressed.py).
        few = all(kind in FEW for kind in kinds)
        for number, chosen in enumerate(_combinations([found if few else found[:1] for found in choices])):
            languages = LANGUAGES if number == 0 or any(word in rule.rule for word in MANY) else ("en",)
            yield _fill(rule.rule, dict(zip(rule.arguments, chosen, strict=True))), languages
    for path in EXTRA:
        yield path, LANGUAGES
    for name, given in _examples(client):
        yield (f"/queries/{name}?{urlencode(given)}" if given else f"/queries/{name}"), LANGUAGES


def _kind(rule: str, argument: str) -> str:
    """What a `slug` names: a council, a manifesto or a hub, by the route's first part."""
    first = rule.strip("/").split("/", 1)[0]
    return first if argument == "slug" and first in ("councils", "manifestos") else "hubs" if argument == "slug" else ""


def _values(client: FlaskClient) -> dict[tuple[str, str], list[str]]:
    """The values of the routes' path parts, read from the site's own JSON (what a reader would follow)."""

    def read(path: str) -> dict[str, object]:
        answer = client.get(path)
        found = answer.get_json(silent=True) if answer.status_code == 200 else None
        answer.close()
        return found if isinstance(found, dict) else {}

    def slugs(path: str, key: str, field_name: str) -> list[str]:
        items = read(path).get(key)
        found = [str(i.get(field_name, "")) for i in items if isinstance(i, dict)] if isinstance(items, list) else []
        return [iri.rstrip("/").rsplit("/", 1)[-1] for iri in found if iri]

    hubs = slugs("/hubs.json?per_page=1", "hubs", "hub")
    goals = [str(g.get("number")) for g in _list(read("/sdg.json"), "goals") if g.get("number")]
    targets = [str(t["notation"]) for goal in goals for t in _list(read(f"/sdg/{goal}.json"), "targets")
               if t.get("notation")]  # fmt: skip
    return {
        ("hubs", "slug"): hubs,
        ("councils", "slug"): slugs("/councils.json", "councils", "council"),
        ("manifestos", "slug"): slugs("/manifestos.json", "manifestos", "manifesto"),
        ("", "edition"): slugs("/vcs.json", "editions", "slug"),
        ("", "number"): goals,
        ("", "notation"): targets,
        ("", "rest"): [f"hub/{hub}" for hub in hubs[:1]],
        ("", "name"): [],  # the named queries: with their examples (_examples)
    }


def _list(data: dict[str, object], key: str) -> list[dict[str, object]]:
    found = data.get(key)
    return [item for item in found if isinstance(item, dict)] if isinstance(found, list) else []


def _examples(client: FlaskClient) -> Iterator[tuple[str, dict[str, str]]]:
    """Each named query of the catalogue with its parameters' examples (the page's "try the example")."""
    answer = client.get("/queries.json")
    found = answer.get_json(silent=True) if answer.status_code == 200 else None
    answer.close()
    for query in _list(found if isinstance(found, dict) else {}, "queries"):
        parameters = query.get("parameters")
        given = {
            str(p["name"]): str(p["example"])
            for p in (parameters if isinstance(parameters, list) else [])
            if isinstance(p, dict) and p.get("example") not in (None, "")
        }
        yield str(query.get("name")), given


def _combinations(choices: list[list[str]]) -> Iterator[tuple[str, ...]]:
    if not choices:
        yield ()
        return
    for first in choices[0]:
        for rest in _combinations(choices[1:]):
            yield (first, *rest)


def _fill(rule: str, values: dict[str, str]) -> str:
    """The rule's path with its parts filled in (`/hubs/<slug>` -> `/hubs/bilbao`)."""
    import re

    return re.sub(r"<(?:[^:<>]+:)?([^<>]+)>", lambda m: values[m.group(1)], rule)

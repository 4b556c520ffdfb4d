"""The front door in Chromium at 1366 px and at 390 px: the proposal form (errors summed up and linked, a deliverable
added, the confirmation and the private page), the SPARQL editor (loaded from /static, prefixes declared, results
as a table with downloads, readable errors, no CSP violation), and axe-core (vendored in tests/vendor/axe-core/)
on every page type with no serious or critical violation. Screenshots go to test-results/browser/front-*.png.

The server has the shipped data, the fictional demo hub (`l4a build --with-examples`) and the accepted example
proposal, as in tests/test_browser.py, whose server and browser helpers are used here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from .test_browser import (
    ARTIFACTS,
    BILBAO,
    EXAMPLE,
    EXAMPLE_ID,
    TIMEOUT_MS,
    WATCH_CSP,
    Server,
    cli,
)

AXE = Path(__file__).parent / "vendor" / "axe-core" / "axe.min.js"
WIDTHS = (1366, 390)
DEMO = "demo-exampleton-green-corridors"
DEMO_COUNCIL = "demo-exampleton-council"
# One page of each type, as a reader reaches them.
PAGES = [
    "/", "/hubs", f"/hubs/{BILBAO}", f"/hubs/{EXAMPLE_ID}", "/sdg", "/sdg/11", "/sdg/target/11.7", "/gaps",
    "/manifestos", "/manifestos/ecology", "/councils", "/councils/resilient-regenerative-territories",
    f"/councils/{DEMO_COUNCIL}/brief", "/vcs", "/network", "/evidence", "/monitoring", f"/monitoring/hubs/{DEMO}",
    "/queries", "/queries/hubs-by-sdg", "/queries/stats?run=1", "/queries/evidence-for?sdg=11", "/sparql",
    "/ontology", "/propose", f"/id/hub/{BILBAO}", "/staff/sign-in",
    "/search?q=eau", "/stats", "/api",
    "/no-such-page",
]  # fmt: skip


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("browser-front")
    cli(data_dir, "build", "--quiet", "--with-examples")
    cli(data_dir, "propose", str(EXAMPLE), "--by", "test")
    cli(data_dir, "proposals", "accept", EXAMPLE_ID, "--by", "test")
    running = Server(data_dir)
    running.start()
    yield running
    running.stop()


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A fresh profile at one width; the last state is saved as test-results/browser/front-<test>.png."""
    width = int(request.param)
    context = browser.new_context(locale="en-US", viewport={"width": width, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    opened.add_init_script(WATCH_CSP)
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.errors = errors  # type: ignore[attr-defined]
    yield opened
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    try:
        opened.screenshot(path=str(ARTIFACTS / f"front-{request.node.name}.png"), full_page=True)
    except Exception as exc:  # a screenshot must not hide the test's own outcome
        print(f"no screenshot: {exc}")
    context.close()


def width_of(page: Page) -> int:
    return int(page.viewport_size["width"]) if page.viewport_size else 0


def fits(page: Page) -> None:
    """Nothing wider than the window: no sideways scrolling on a phone."""
    assert page.evaluate("document.documentElement.scrollWidth") <= width_of(page), page.url


# Elements that scroll sideways within themselves (overflow-x auto or scroll, content wider than the box).
SIDEWAYS_SCROLLERS = """() => [...document.querySelectorAll('body *')].filter(e => {
  const style = getComputedStyle(e);
  return ['auto', 'scroll'].includes(style.overflowX) && e.scrollWidth > e.clientWidth + 1;
}).map(e => e.tagName.toLowerCase() + (e.id ? '#' + e.id : '') + '.' + (e.getAttribute('class') || ''))"""


def test_no_page_type_scrolls_sideways_on_a_phone(browser: Browser, server: Server) -> None:
    """At 390 px, in English, French and Spanish: neither the page nor anything in it (a table, the network
    picture, a query's text) scrolls sideways; wide content becomes cards, wraps, or is drawn to the width."""
    context = browser.new_context(viewport={"width": 390, "height": 900})
    context.set_default_timeout(TIMEOUT_MS)
    page = context.new_page()
    found = {}
    try:
        for lang in ("en", "fr", "es"):
            for path in PAGES:
                page.goto(server.url(path + ("&" if "?" in path else "?") + f"lang={lang}"))
                page.wait_for_load_state("load")
                width = page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
                inner = page.evaluate(SIDEWAYS_SCROLLERS)
                if width[0] > width[1] or inner:
                    found[f"{path} ({lang})"] = (width, inner)
    finally:
        context.close()
    assert found == {}


def test_the_hub_list_and_the_network_read_on_a_phone(browser: Browser, server: Server) -> None:
    """The hub list is one card per hub (each cell named), and the network is the narrow picture, names readable."""
    context = browser.new_context(viewport={"width": 390, "height": 900})
    page = context.new_page()
    try:
        page.goto(server.url("/hubs?lang=fr"))
        expect(page.locator("table.hub-list thead")).to_be_hidden()
        cell = page.locator("table.hub-list td[data-label]").first
        assert page.evaluate("e => getComputedStyle(e, '::before').content", cell.element_handle()).startswith('"Lieu')
        page.goto(server.url("/network?lang=es"))
        expect(page.locator(".network-wide svg")).to_be_hidden()
        expect(page.locator(".network-narrow svg")).to_be_visible()
        size = page.evaluate("() => getComputedStyle(document.querySelector('.network-narrow svg text')).fontSize")
        box = page.locator(".network-narrow svg text").first.bounding_box()
        assert size == "12px" and box is not None and box["height"] >= 9  # drawn near its size, not shrunk to a speck
        expect(page.locator("ul.network-links li").first).to_be_visible()  # the lines, in words
    finally:
        context.close()


def serious(page: Page) -> list[Any]:
    """axe-core's serious and critical violations on the page as it is now."""
    page.evaluate(AXE.read_text(encoding="utf-8") + ";0")  # through DevTools: the page's CSP does not apply
    found = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".filter(v => v.impact === 'serious' || v.impact === 'critical')"
        ".map(v => [v.id, v.help, v.nodes.slice(0, 3).map(n => n.target.join(' '))])"
    )
    return list(found)


def test_axe_finds_no_serious_violation_on_any_page_type(page: Page, server: Server) -> None:
    found = {}
    for path in PAGES:
        page.goto(server.url(path))
        page.wait_for_load_state("load")
        problems = serious(page)
        if problems:
            found[path] = problems
        fits(page)
    for lang in ("fr", "es"):
        page.goto(server.url(f"/propose?lang={lang}"))
        found.update({f"/propose?lang={lang}": p for p in [serious(page)] if p})
    assert found == {}


def test_proposal_journey(page: Page, server: Server) -> None:
    page.goto(server.url("/propose?lang=fr"))
    expect(page.locator("h1")).to_have_text("Proposer un hub Local4Action")
    fits(page)
    page.locator("#name").fill(f"Parcs de Lagoa Azul {width_of(page)}")
    page.locator("#lead_name").fill("Municipalité de Lagoa Azul")
    page.locator("#country").select_option("BR")
    page.locator("#start_date").fill("2026-04-01")
    page.locator("#end_date").fill("2025-01-01")  # before the start: the form says so before storing anything
    page.locator("input[name=sdg_target]").first.fill("taudis")  # words in the reader's language
    page.locator("#deliverables-0-title").fill("Plan des parcs")
    page.get_by_role("button", name="Ajouter un livrable").click()
    expect(page.locator("#deliverables-1-title")).to_be_visible()
    expect(page.locator("#deliverables-0-title")).to_have_value("Plan des parcs")
    page.get_by_role("button", name="Envoyer la proposition").first.click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    link = summary.locator('a[href="#end_date"]')
    expect(link).to_contain_text("Date de fin")
    link.click()
    expect(page).to_have_url(re.compile("#end_date$"))
    expect(page.locator('.field:has(#end_date) p.field-error[data-field="end_date"]')).to_be_visible()
    fits(page)

    page.locator("#end_date").fill("2028-03-31")
    page.get_by_role("button", name="Envoyer la proposition").first.click()
    number = page.locator(".proposal-number").first
    expect(number).to_have_text(re.compile(r"^parcs-de-lagoa-azul-\d+"))
    follow = page.locator("#follow-link")
    expect(follow).to_contain_text("/propose/follow/")
    fits(page)
    follow.click()
    expect(page.locator("h1")).to_contain_text("Parcs de Lagoa Azul")
    expect(page.locator("strong.status")).to_be_visible()
    assert page.evaluate("() => window.__csp") == []
    assert page.errors == []  # type: ignore[attr-defined]


def test_sparql_editor_journey(page: Page, server: Server) -> None:
    page.goto(server.url("/sparql"))
    scripts = page.locator("script[src]").evaluate_all("els => els.map(e => e.getAttribute('src'))")
    assert "/static/vendor/yasgui/yasgui.min.js" in scripts
    editor = page.locator("#editor .CodeMirror")
    expect(editor).to_be_visible()
    expect(page.locator("form#sparql-form")).to_be_hidden()  # the plain form stays for readers without scripts
    set_query = "text => document.querySelector('#editor .CodeMirror').CodeMirror.setValue(text)"
    get_query = "() => document.querySelector('#editor .CodeMirror').CodeMirror.getValue()"
    page.evaluate(set_query, "SELECT ?hub ?title WHERE {\n  ?hub a l4a:Hub ; dcterms:title ?title .\n} LIMIT 5")
    page.wait_for_function(f"() => ({get_query})().includes('PREFIX l4a:')")  # the known prefixes, declared
    assert "PREFIX dcterms: <http://purl.org/dc/terms/>" in page.evaluate(get_query)
    page.locator("#editor .yasqe_queryButton").click()
    rows = page.locator("#editor .yasr table tbody tr")
    expect(rows).to_have_count(5)
    downloads = page.locator("#downloads a[data-format=csv]")
    expect(downloads).to_be_visible()
    assert "format=csv" in (downloads.get_attribute("href") or "") and "l4a" in (downloads.get_attribute("href") or "")
    assert serious(page) == []
    fits(page)

    page.evaluate(set_query, "SELECT * WHERE {\n  ?s ?p ?o .\n")
    page.locator("#editor .yasqe_queryButton").click()
    expect(page.locator("#editor .yasr p.error")).to_contain_text("missing }: the { opened on line 1 is never closed")
    page.locator("a[data-example=hubs-by-sdg]").click()  # an example loads into the editor, no page change
    page.wait_for_function(f"() => ({get_query})().includes('addressesTarget')")
    assert page.evaluate("() => window.__csp") == []
    assert page.errors == []  # type: ignore[attr-defined]


def test_network_and_hub_page_read_well(page: Page, server: Server) -> None:
    page.goto(server.url("/network"))
    names = page.locator("svg.network a.node text >> visible=true")  # the wide picture, or the narrow one on a phone
    assert names.count() >= 3
    expect(names.first).to_be_visible()
    expect(page.locator("#isolated")).to_be_visible()
    title = page.locator("svg.network line.edge title").first.text_content() or ""
    assert " — " in title and ": " in title
    page.goto(server.url("/sparql?lang=fr"))  # YASGUI's results table in the page's language (the words it lets us set)
    expect(page.locator("#editor .CodeMirror")).to_be_visible()
    page.locator("#editor .yasqe_queryButton").click()
    expect(page.locator("#editor .yasr table tbody tr").first).to_be_visible()
    expect(page.locator("#editor .yasr")).to_contain_text(re.compile(r"Lignes 1 à \d+ sur \d+"))
    page.goto(server.url(f"/hubs/{BILBAO}?lang=es"))
    goals = page.locator("main ul li a[href^='/sdg/']").evaluate_all("els => els.map(e => e.getAttribute('href'))")
    numbers = [int(g.rsplit("/", 1)[1]) for g in goals if g.rsplit("/", 1)[1].isdigit()]
    assert numbers == sorted(numbers) and len(numbers) == 17
    expect(page.locator("details.rule-details")).not_to_have_attribute("open", "")
    page.locator("details.rule-details summary").click()
    expect(page.locator("details.rule-details li").first).to_be_visible()
    fits(page)


def test_home_tiles_hold_their_words_in_every_language(page: Page, server: Server) -> None:
    for lang in ("en", "fr", "es"):
        page.goto(server.url(f"/?lang={lang}"))
        spilling = page.evaluate(
            "() => [...document.querySelectorAll('.tile')].filter(t => t.scrollWidth > t.clientWidth + 1)"
            ".map(t => t.textContent.trim())"
        )
        assert spilling == [], (lang, spilling)
        fits(page)

"""The web app in a real browser: Playwright driving Debian's Chromium (/usr/bin/chromium, headless, never a
downloaded browser) against `l4a serve` (waitress) in a subprocess on a free loopback port.

The data directory holds the shipped data plus the example proposal docs/examples/proposal-exampleton.en.yaml,
proposed and accepted with the CLI, so that one hub has SDG targets (the shipped hubs address goals only).
Scenarios: home -> hub -> related hub; the filters of /hubs; the French UI, remembered; a valid and an invalid
proposal with the report next to the fields; the CSV download; stored markup (XSS) shown as text on the form's
answer and, once accepted, on every page that shows the hub. On a second server, built with the fictional demo hub
(`l4a build --with-examples`): the monitoring dashboard, the demo hub's charts and its council's brief (printed and
downloaded as Markdown), with no console error and no Content-Security-Policy violation.

A screenshot of each scenario's last page is saved in test-results/browser/ (ignored by git), failed or not.
If Chromium or the server cannot start, the tests fail: they are never skipped.
"""

from __future__ import annotations

import csv
import ctypes
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from click.testing import CliRunner
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Locator, Page, expect
from playwright.sync_api import Error as PlaywrightError

from l4a.graph.cli.main import main

CHROMIUM = "/usr/bin/chromium"
ROOT = Path(__file__).parents[1]
ARTIFACTS = ROOT / "test-results" / "browser"
EXAMPLE = ROOT / "docs" / "examples" / "proposal-exampleton.en.yaml"
EXAMPLE_ID = "exampleton-green-corridors"
BILBAO = "bilbao-city-of-values"
TIMEOUT_MS = 15_000
SCRIPT = "<script>window.__xss=1</script>"
IMAGE = '<img src=x onerror="window.__xss=1">'
# A proposal that conforms (fictional: Lagoa Azul does not exist), filled in field by field in the form.
VALID = {
    "#name": "Lagoa Azul Shaded Streets",
    "#description": "A fictional hub: trees and awnings to shade the walking routes of a hot city.",
    "#theme": "Heat resilience",
    "#city": "Lagoa Azul",
    "#start_date": "2026-04-01",
    "#end_date": "2028-03-31",
    "#website": "https://lagoa-azul.example.org/",
    "#lead_name": "Municipality of Lagoa Azul",
    "#deliverables-0-title": "Shaded street plan",
    "#deliverables-0-due_date": "2027-06-30",
    "#deliverables-0-indicators-0-name": "Shaded share of walking routes",
    "#deliverables-0-indicators-0-unit": "percent",
    "#deliverables-0-indicators-0-baseline": "20",
    "#deliverables-0-indicators-0-target_value": "45",
    "#deliverables-0-indicators-0-due_date": "2028-03-31",
    "#channels": "municipal web site\nlocal radio",
    "#activities": "shade walk",
    "#evidence-0-url": "https://lagoa-azul.example.org/plan.pdf",
    "#evidence-0-date": "2026-02-10",
    "#submitted_by": "Lagoa Azul urban climate office",
}
TARGETS = ("11.7 — green and public spaces", "13.1")
MANIFESTO = "https://w3id.org/l4a/id/manifesto/ecology"
COUNCIL = "https://w3id.org/l4a/id/council/resilient-regenerative-territories"
SECTION = "https://w3id.org/l4a/id/section/flacma"


# --- The server -------------------------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def die_with_pytest() -> None:
    """In the server's process: be stopped (SIGTERM) when pytest goes, even if pytest is killed."""
    if sys.platform.startswith("linux"):
        ctypes.CDLL(None, use_errno=True).prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG


def cli(data_dir: Path, *args: str) -> str:
    """`l4a --data-dir DATA_DIR ARGS` in-process (the server must not be running: the store takes one writer)."""
    env = {"L4A_DATA_DIR": str(data_dir), "L4A_CONFIG": str(data_dir / "absent.toml"), "L4A_STORE": "embedded"}
    result = CliRunner().invoke(main, ["--data-dir", str(data_dir), *args], env=env, catch_exceptions=False)
    assert result.exit_code == 0, f"l4a {' '.join(args)}: {result.output}"
    return result.output


@dataclass
class Server:
    """`l4a serve` on a free loopback port over one data directory; stopped and started again around CLI writes."""

    data_dir: Path
    port: int = 0
    process: subprocess.Popen[bytes] | None = None
    starts: list[float] = field(default_factory=list)

    def url(self, path: str = "/") -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def start(self, seconds: float = 90) -> None:
        self.port = free_port()
        log = self.data_dir / "serve.log"
        env = {k: v for k, v in os.environ.items() if not k.startswith("L4A_")}
        env["L4A_CONFIG"] = str(self.data_dir / "absent.toml")
        env["L4A_SECRET_KEY"] = secrets.token_hex(32)  # `l4a serve` refuses to start without one
        command = [sys.executable, "-m", "l4a.graph.cli", "--data-dir", str(self.data_dir),
                   "serve", "--host", "127.0.0.1", "--port", str(self.port), "--threads", "4"]  # fmt: skip
        began = time.monotonic()
        with log.open("ab") as out:
            self.process = subprocess.Popen(
                command, env=env, stdout=out, stderr=subprocess.STDOUT, preexec_fn=die_with_pytest
            )
        deadline = began + seconds
        while True:
            try:
                with urllib.request.urlopen(self.url("/api/stats"), timeout=5) as response:
                    if response.status == 200:
                        self.starts.append(time.monotonic() - began)
                        return
            except OSError as exc:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.stop()
                    output = log.read_text(errors="replace")[-3000:]
                    pytest.fail(f"`l4a serve` did not answer at {self.url()} ({exc}); its output:\n{output}",
                                pytrace=False)  # fmt: skip
            time.sleep(0.2)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)
        self.process = None


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The shipped data and the accepted example proposal (a hub with SDG targets), served by `l4a serve`."""
    data_dir = tmp_path_factory.mktemp("browser")
    cli(data_dir, "build", "--quiet")
    cli(data_dir, "propose", str(EXAMPLE), "--by", "test")
    cli(data_dir, "proposals", "accept", EXAMPLE_ID, "--by", "test")
    running = Server(data_dir)
    running.start()
    yield running
    running.stop()


# --- The browser ------------------------------------------------------------------------------------------------


# The session's Playwright and Chromium (`playwright`, `browser`) are fixtures of tests/conftest.py, shared with
# tests/test_browser_front.py: a second Playwright in the same process would find the first one's event loop.


@pytest.fixture
def context(browser: Browser) -> Iterator[BrowserContext]:
    """A fresh profile (no cookies) whose browser asks for English."""
    made = browser.new_context(locale="en-US", accept_downloads=True, viewport={"width": 1280, "height": 900})
    made.set_default_timeout(TIMEOUT_MS)
    yield made
    made.close()


@pytest.fixture
def page(context: BrowserContext, request: pytest.FixtureRequest) -> Iterator[Page]:
    """A page whose last state is saved as test-results/browser/<test>.png, whether the test passed or not."""
    opened = context.new_page()
    yield opened
    shot(opened, request.node.name)


def shot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    try:
        page.screenshot(path=str(path), full_page=True)
    except Exception as exc:  # a screenshot must not hide the test's own outcome
        print(f"no screenshot {path}: {exc}")
    return path


def xss_ran(page: Page) -> Any:
    """What the payloads would have set (None if no script of theirs ran)."""
    page.wait_for_load_state("load")  # an <img onerror> fires once the image has failed, before `load`
    return page.evaluate("() => window.__xss ?? null")


# --- Scenarios --------------------------------------------------------------------------------------------------


def test_home_to_hub_to_related_hub(page: Page, server: Server) -> None:
    page.goto(server.url("/"))
    expect(page.locator("html")).to_have_attribute("lang", "en")
    expect(page.locator(".tiles a.tile")).to_have_count(17)
    page.locator(f'main a[href="/hubs/{BILBAO}"]').first.click()
    expect(page).to_have_url(server.url(f"/hubs/{BILBAO}"))
    expect(page.locator("h1")).to_contain_text("Bilbao")
    related = page.locator("h2:has-text('Related hubs') + ol > li")
    expect(related.first).to_be_visible()
    expect(related.first.locator(".reason")).to_contain_text("(+")  # the reasons with their shares of the score
    link = related.first.locator("a").first
    name, href = link.inner_text(), link.get_attribute("href")
    assert href and href.startswith("/hubs/") and href != f"/hubs/{BILBAO}"
    link.click()
    expect(page).to_have_url(server.url(href))
    expect(page.locator("h1")).to_have_text(name)
    expect(page.locator("h2:has-text('Related hubs') + ol")).to_contain_text("Bilbao")  # and back again


def test_hubs_filtered_by_goal(page: Page, server: Server) -> None:
    page.goto(server.url("/hubs"))
    rows = page.locator("main table tbody tr")
    everything = rows.count()
    assert everything >= 8
    page.locator("form.filters select[name=goal]").select_option("11")
    page.locator("form.filters button[type=submit]").click()
    expect(page).to_have_url(re.compile(r"[?&]goal=11(&|$)"))
    expect(page.locator("form.filters select[name=goal]")).to_have_value("11")
    shown = rows.count()
    assert 0 < shown < everything
    slugs = [href.rsplit("/", 1)[1] for href in rows.locator("td:first-child a").evaluate_all(
        "links => links.map(a => a.getAttribute('href'))")]  # fmt: skip
    assert EXAMPLE_ID in slugs
    for number, slug in enumerate(slugs):
        targets = rows.nth(number).locator("td:nth-child(4) a").all_inner_texts()
        if any(t.split(".")[0] == "11" for t in targets):
            continue
        # No target of goal 11 in the row: the hub must address the goal itself (the shipped hubs name goals only).
        hub = page.request.get(server.url(f"/hubs/{slug}.json")).json()
        assert "http://metadata.un.org/sdg/11" in hub["goals"], (slug, targets)
    example = rows.filter(has=page.locator(f'a[href="/hubs/{EXAMPLE_ID}"]'))
    expect(example.locator("td:nth-child(4)")).to_contain_text("11.7")


def test_french_is_chosen_and_remembered(page: Page, server: Server) -> None:
    page.goto(server.url("/"))
    expect(page.locator("nav[aria-label=main]")).to_contain_text("Home")
    page.locator("nav.languages a[hreflang=fr]").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text("Graphe des Local4Action HUBs")
    expect(page.locator("nav[aria-label=main]")).to_contain_text("Accueil")
    expect(page.locator("nav[aria-label=main]")).to_contain_text("Proposer un hub")
    page.locator("nav[aria-label=main] a", has_text="ODD").click()  # a plain link: no ?lang= in it
    expect(page).to_have_url(server.url("/sdg"))
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("h1")).to_have_text("Les objectifs de développement durable")
    page.locator("nav[aria-label=main] a", has_text="Hubs").click()
    expect(page.locator("form.filters button[type=submit]")).to_have_text("Filtrer")
    page.locator(f'main a[href="/hubs/{BILBAO}"]').click()
    expect(page.locator("h2", has_text="Hubs liés, et pourquoi")).to_be_visible()
    expect(page.locator("nav.languages a[aria-current=true]")).to_have_text("FR")


def fill_proposal(page: Page, server: Server, values: dict[str, str]) -> None:
    """The form, filled in with `values` (by selector) and the same choices of targets, manifesto, council..."""
    page.goto(server.url("/propose"))
    for selector, value in values.items():
        page.locator(selector).fill(value)
    page.locator("#country").select_option("BR")
    page.locator("#lead_type").select_option("local government")
    page.locator("#lead_country").select_option("BR")
    tick(page.locator("input[name=visual_identity_checked]"))
    for slot, target in enumerate(TARGETS):
        page.locator("input[name=sdg_target]").nth(slot).fill(target)
    tick(page.locator(f'input[name=manifesto][value="{MANIFESTO}"]'))
    tick(page.locator(f'input[name=council][value="{COUNCIL}"]'))
    page.locator("#section").select_option(SECTION)


def tick(box: Locator) -> None:
    """Tick a box as a person would. The form's own script shows suggestions as the description is typed, which can
    move the box between Playwright's aim and its click on a loaded machine ("did not change its state"): a person
    would click again where the box now is, and so does this, twice at most."""
    for attempt in range(3):
        try:
            box.check()
            return
        except PlaywrightError as exc:
            if "did not change its state" not in str(exc) or attempt == 2:
                raise
            box.page.wait_for_timeout(500)


def test_valid_and_invalid_proposals(page: Page, server: Server) -> None:
    fill_proposal(page, server, VALID)
    page.get_by_role("button", name="Send the proposal").click()
    status = page.locator("section.confirmation")
    expect(status).to_have_class(re.compile(r"\bok\b"))
    expect(status.locator(".proposal-number")).to_have_text("lagoa-azul-shaded-streets")
    expect(page.locator("#follow-link")).to_contain_text("/propose/follow/lagoa-azul-shaded-streets?key=")
    expect(page.locator("p.field-error")).to_have_count(0)

    # Five years from start to end and no lead: stored as "needs changes", the notes next to those fields.
    bad = {**VALID, "#name": "Lagoa Azul Cool Schools", "#end_date": "2031-03-31", "#lead_name": ""}
    fill_proposal(page, server, bad)
    page.get_by_role("button", name="Send the proposal").click()
    expect(page.locator("section#stored")).to_have_class(re.compile("needs-changes"))
    for name in ("end_date", "lead_name"):
        report = page.locator(f'.field:has(#{name}) p.field-error[data-field="{name}"]')  # with its own field
        expect(report.first).to_be_visible()
        assert report.first.inner_text().strip(), name
        expect(page.locator(f'.error-summary a[href="#{name}"]').first).to_be_visible()
    expect(page.locator("#end_date")).to_have_value("2031-03-31")  # the form keeps what was typed
    expect(page.locator("#name")).to_have_value("Lagoa Azul Cool Schools")


def test_hubs_csv_download(page: Page, server: Server) -> None:
    page.goto(server.url("/hubs"))
    names = page.locator("main table tbody tr td:first-child a").all_inner_texts()
    with page.expect_download() as download:
        page.locator(".downloads a", has_text="CSV").click()
    saved = download.value
    assert saved.suggested_filename == "hubs.csv"
    path = ARTIFACTS / "hubs.csv"
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    saved.save_as(path)
    with path.open(encoding="utf-8", newline="") as text:
        rows = list(csv.reader(text))
    assert rows[0] == ["hub", "name", "city", "country", "start", "end", "targets", "manifestos", "councils", "section"]
    assert len(rows) - 1 == len(names) >= 8
    assert sorted(row[1] for row in rows[1:]) == sorted(names)
    example = next(row for row in rows[1:] if row[0].endswith(f"/hub/{EXAMPLE_ID}"))
    assert example[6] == "11.7;13.1" and example[3] == "ZZ"


def test_stored_markup_never_runs(page: Page, server: Server) -> None:
    # The check itself works: the same payloads run when they are put in a page as markup.
    page.set_content(f"<p>{SCRIPT}{IMAGE}</p>")
    page.wait_for_function("() => window.__xss === 1")

    marked = {
        **VALID,
        "#name": f"Lagoa Azul Night Markets {SCRIPT}",
        "#description": f"Markets under street lights. {IMAGE} {SCRIPT}",
        "#theme": f"Night economy {IMAGE}",
        "#city": f"Lagoa Azul {SCRIPT}",
        "#lead_name": f"Municipality of Lagoa Azul {IMAGE}",
        "#deliverables-0-title": f"Market plan {SCRIPT}",
        "#deliverables-0-indicators-0-name": f"Markets open {IMAGE}",
        "#channels": f"radio {SCRIPT}\nposters {IMAGE}",
        "#submitted_by": f"Night office {IMAGE}",
    }
    fill_proposal(page, server, marked)
    page.get_by_role("button", name="Send the proposal").click()
    status = page.locator("section.confirmation")
    expect(status).to_have_class(re.compile(r"\bok\b"))
    proposal_id = status.locator(".proposal-number").inner_text().strip()
    assert xss_ran(page) is None
    expect(status.locator(".proposal-name")).to_have_text(marked["#name"])  # shown as text, whole
    page.locator("#follow-link").click()
    expect(page.locator("h1")).to_have_text(marked["#name"])
    page.get_by_role("link", name="Revise this proposal").click()
    expect(page.locator("#name")).to_have_value(marked["#name"])
    expect(page.locator("#description")).to_have_value(marked["#description"])
    assert xss_ran(page) is None
    shot(page, "test_stored_markup_never_runs-form")

    # Accept it with the CLI (the server holds the store: stop it, accept, start it again on the same data).
    server.stop()
    cli(server.data_dir, "proposals", "accept", proposal_id, "--by", "test")
    server.start()
    hub = f"/hubs/{proposal_id}"
    for path in ("/", "/hubs", "/hubs?q=Night+Markets", hub, "/network", "/sdg/target/11.7", "/sdg/11",
                 "/manifestos/ecology", "/councils/resilient-regenerative-territories", "/evidence"):  # fmt: skip
        page.goto(server.url(path))
        assert xss_ran(page) is None, path
        if path in ("/", "/hubs", "/sdg/target/11.7"):
            expect(page.locator(f'main a[href="{hub}"]').first).to_contain_text(SCRIPT)  # the name, as text
    page.goto(server.url(hub))
    expect(page.locator("h1")).to_have_text(marked["#name"])
    expect(page.locator("main")).to_contain_text(IMAGE)
    assert page.locator("main script, main img").count() == 0
    assert xss_ran(page) is None


# --- Monitoring and briefs (the fictional demo hub, loaded by `l4a build --with-examples`) -----------------------

DEMO = "demo-exampleton-green-corridors"
DEMO_TITLE = "DEMO (fictional): Exampleton Green Corridors"
DEMO_COUNCIL = "demo-exampleton-council"
DEMO_COUNCIL_NAME = "DEMO (fictional): Council on Green Exampleton"
DEMO_EVIDENCE = "https://exampleton.example.org/green-corridors/plan.pdf"
# In every page before its own scripts: the CSP violations the page reports (none of the site's pages has a script).
WATCH_CSP = (
    "window.__csp = []; document.addEventListener('securitypolicyviolation', "
    "e => window.__csp.push(e.violatedDirective + ' ' + (e.blockedURI || 'inline')));"
)


@pytest.fixture(scope="session")
def examples_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """The shipped data with the fictional demo hub and its figures, served by `l4a serve`."""
    data_dir = tmp_path_factory.mktemp("browser-examples")
    cli(data_dir, "build", "--quiet", "--with-examples")
    running = Server(data_dir)
    running.start()
    yield running
    running.stop()


@dataclass
class Watched:
    """The console errors and uncaught exceptions of a page."""

    errors: list[str] = field(default_factory=list)


def watch(page: Page) -> Watched:
    seen = Watched()
    page.add_init_script(WATCH_CSP)

    def console(message: ConsoleMessage) -> None:
        # The browser's own request for /favicon.ico (the site has none) is logged as a failed load: not a page's.
        if message.type == "error" and not message.location.get("url", "").endswith("/favicon.ico"):
            seen.errors.append(f"{message.text} ({message.location.get('url')})")

    page.on("console", console)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    return seen


def csp_violations(page: Page) -> Any:
    page.wait_for_load_state("load")
    return page.evaluate("() => window.__csp")


def test_dashboard_hub_charts_and_brief(page: Page, examples_server: Server) -> None:
    seen = watch(page)
    # The check itself works: an inline style added to one of the site's pages is refused and reported.
    page.goto(examples_server.url("/monitoring"))
    with page.expect_console_message(lambda message: "Content Security Policy" in message.text) as refused:
        page.evaluate("() => document.head.insertAdjacentHTML('beforeend', '<style>body { color: red }</style>')")
    assert refused.value.type == "error"  # the console error comes too (awaited: it can come late)
    page.wait_for_function("() => window.__csp.length > 0")
    assert any("style-src" in v for v in csp_violations(page))
    seen.errors.clear()

    page.goto(examples_server.url("/monitoring"))
    row = page.locator("#hub-progress tbody tr", has=page.locator(f'a[href="/monitoring/hubs/{DEMO}"]'))
    expect(row).to_contain_text(DEMO_TITLE)
    expect(row.locator("td").nth(1)).to_have_text(re.compile(r"^\d+%$"))  # its progress
    expect(row.locator("td").nth(2)).to_contain_text(re.compile(r"(done|overdue|at risk|on track): \d"))
    other = page.locator("#hub-progress tbody tr", has=page.locator(f'a[href="/monitoring/hubs/{BILBAO}"]'))
    expect(other).to_contain_text("no figures reported")
    expect(page.locator("#status-year")).to_contain_text("Labelled")
    chart = page.locator("figure.chart-figure svg.coverage")
    expect(chart).to_be_visible()
    box = chart.bounding_box()
    assert chart.locator("rect.bar-goals").count() > 1 and box is not None and box["height"] > 100
    expect(page.locator("#coverage-goals tbody tr")).to_have_count(17)
    assert csp_violations(page) == [], "dashboard"

    page.goto(examples_server.url(f"/hubs/{DEMO}"))
    expect(page.locator("figure.timeline-figure svg.timeline")).to_be_visible()
    expect(page.locator("figure.indicator-chart svg polyline")).to_have_count(2)
    assert csp_violations(page) == [], "hub page"

    page.goto(examples_server.url(f"/councils/{DEMO_COUNCIL}"))
    page.locator("p.brief-link a", has_text="printable page").click()
    expect(page).to_have_url(examples_server.url(f"/councils/{DEMO_COUNCIL}/brief"))
    brief = page.locator("article.brief")
    expect(brief.locator("h1")).to_contain_text(f"Brief for the Policy Council: {DEMO_COUNCIL_NAME}")
    expect(brief.locator("section.hub h3")).to_have_text([DEMO_TITLE])  # the council's hubs, and no other
    evidence = brief.locator(f'section.hub a[href="{DEMO_EVIDENCE}"]')
    expect(evidence).to_be_visible()
    cited = brief.locator("section.hub li", has=page.locator(f'a[href="{DEMO_EVIDENCE}"]'))
    expect(cited).to_contain_text("2026-01-20")  # cited with its date
    assert csp_violations(page) == [], "brief"
    # Printed: no navigation, and each outside link followed by its address, unless its text is the address.
    page.emulate_media(media="print")
    expect(page.locator(".brief-tools")).to_be_hidden()
    hub_link = brief.locator("section.hub h3 a")
    after = hub_link.evaluate("a => getComputedStyle(a, '::after').content")
    assert (hub_link.get_attribute("href") or "x") in after
    expect(evidence).to_have_text(DEMO_EVIDENCE)
    assert evidence.evaluate("a => getComputedStyle(a, '::after').content") == "none"  # not printed twice
    page.emulate_media(media="screen")
    with page.expect_download() as download:
        page.locator(".brief-tools a", has_text="Markdown").click()
    saved = download.value
    assert saved.suggested_filename == f"brief-{DEMO_COUNCIL}-en.md"
    path = ARTIFACTS / saved.suggested_filename
    saved.save_as(path)
    text = path.read_text(encoding="utf-8")
    assert f"### {DEMO_TITLE}" in text and f"<{DEMO_EVIDENCE}>" in text
    assert seen.errors == []  # no console error (a refused style or script would be one) and no page error

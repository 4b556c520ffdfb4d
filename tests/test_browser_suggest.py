"""The proposal form's suggestions in Chromium at 1366 px and at 390 px: typing a description makes suggestions and
hubs close to the draft appear (the site's own script, no CSP violation, no console error), a ticked suggestion is
sent with the proposal and comes back in the revision form, the phone shows no sideways scrolling, and axe-core
(tests/vendor/axe-core) finds no serious or critical violation with the suggestions shown. Without JavaScript, the
"Suggest from my description" button posts the form back and shows the same choices. Screenshots go to
test-results/browser/suggest-*.png.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from playwright.sync_api import Browser, Page, expect

from .test_browser import ARTIFACTS, TIMEOUT_MS, WATCH_CSP, Server, cli
from .test_browser_front import WIDTHS, fits, serious

HOUSING = (
    "The city plants trees along its streets to cool the neighbourhoods during heat waves, and builds social "
    "housing for the families who live in slums."
)
LOGEMENT = (
    "La commune rénove les logements sociaux des quartiers de taudis et plante des arbres dans les rues pour "
    "rafraîchir la ville pendant les vagues de chaleur."
)


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    data_dir = tmp_path_factory.mktemp("browser-suggest")
    cli(data_dir, "build", "--quiet")
    running = Server(data_dir)
    running.start()
    yield running
    running.stop()


@contextmanager
def open_page(browser: Browser, width: int, name: str, javascript: bool = True) -> Iterator[Page]:
    """A fresh profile at one width; its last state is saved as test-results/browser/suggest-<name>.png."""
    context = browser.new_context(
        locale="en-US", viewport={"width": width, "height": 900}, java_script_enabled=javascript
    )
    context.set_default_timeout(TIMEOUT_MS)
    opened = context.new_page()
    opened.add_init_script(WATCH_CSP)
    errors: list[str] = []
    opened.on("pageerror", lambda error: errors.append(str(error)))
    opened.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    opened.errors = errors  # type: ignore[attr-defined]
    try:
        yield opened
    finally:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        try:
            opened.screenshot(path=str(ARTIFACTS / f"suggest-{name}.png"), full_page=True)
        except Exception as exc:  # a screenshot must not hide the test's own outcome
            print(f"no screenshot: {exc}")
        context.close()


@pytest.fixture(params=WIDTHS, ids=[f"{w}px" for w in WIDTHS])
def page(browser: Browser, request: pytest.FixtureRequest) -> Iterator[Page]:
    with open_page(browser, int(request.param), request.node.name) as opened:
        yield opened


def test_typing_a_description_shows_suggestions_and_close_hubs_and_a_tick_is_sent(page: Page, server: Server) -> None:
    width = page.viewport_size["width"] if page.viewport_size else 0
    page.goto(server.url("/propose?lang=en"))
    page.locator("#name").fill(f"Villaficta Cool Streets {width}")
    page.locator("#description").press_sequentially(HOUSING, delay=5)
    choice = page.locator('#suggestion-choices input[name="accept_target"][value="11.1"]')
    expect(choice).to_be_visible()
    expect(choice).not_to_be_checked()  # nothing is ticked for the applicant
    expect(page.locator("#suggestion-choices")).to_contain_text("Your text says")
    expect(page.locator("#suggest-jump a")).to_contain_text("suggestion")  # under the description: where they are
    expect(page.locator("#similar-hubs")).to_contain_text("Hubs close to yours")
    choice.check()
    expect(page.locator("#similar-hubs a").first).to_be_visible()  # the target's goal is shared by published hubs
    expect(choice).to_be_checked()  # refreshing the hubs left the tick and the choices alone
    page.wait_for_load_state("networkidle")
    fits(page)
    assert serious(page) == []
    assert page.evaluate("window.__csp") == [] and page.errors == []  # type: ignore[attr-defined]

    page.locator("#lead_name").fill("Municipality of Villaficta")
    page.locator("#start_date").fill("2026-04-01")
    page.locator("#end_date").fill("2028-03-31")
    page.get_by_role("button", name="Send the proposal").last.click()
    number = page.locator(".proposal-number").first
    expect(number).to_have_text(re.compile(r"^villaficta-cool-streets"))
    follow = page.locator("#follow-link").first.get_attribute("href") or page.locator("#follow-link").first.inner_text()
    page.goto(follow.replace("/propose/follow/", "/propose?revise=").replace("?key=", "&key="))
    expect(page.locator('input[name="sdg_target"]').first).to_have_value("11.1")  # sent as if typed


def test_french_suggestions_are_labelled_in_french_on_a_phone(browser: Browser, server: Server) -> None:
    with open_page(browser, 390, "fr-390") as page:
        page.goto(server.url("/propose?lang=fr"))
        page.locator("#description").press_sequentially(LOGEMENT, delay=5)
        label = page.locator('label[for="accept-target-11-1"]')
        expect(label).to_contain_text("logement")
        expect(page.locator("#suggested-target legend")).to_have_text("Cibles des ODD")
        fits(page)
        assert serious(page) == []


def test_without_javascript_the_button_posts_the_form_back_with_the_choices(browser: Browser, server: Server) -> None:
    with open_page(browser, 390, "nojs-390", javascript=False) as page:
        page.goto(server.url("/propose?lang=en"))
        page.locator("#name").fill("Villaficta Without Script")
        page.locator("#description").fill(HOUSING)
        page.locator("#website").fill("https://")  # unfinished: no error for it yet
        page.get_by_role("button", name="Suggest from my description").click()
        expect(page).to_have_url(re.compile(r"#suggestions$"))
        expect(page.locator('input[name="accept_target"][value="11.1"]')).to_be_visible()
        expect(page.locator("#name")).to_have_value("Villaficta Without Script")
        expect(page.locator("#website")).to_have_value("https://")
        expect(page.locator(".error-summary")).to_have_count(0)
        fits(page)

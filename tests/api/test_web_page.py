"""End to end in headless Chromium (Debian's package; Playwright drives it and downloads nothing)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from tests.conftest import skip_unless_required

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARTIFACTS = Path(__file__).resolve().parents[2] / "artifacts"
PDPH = "What needle type reduces the risk of post-dural puncture headache?"



@pytest.fixture(scope="module")
def browser():
    if not Path(CHROMIUM).exists():
        skip_unless_required("Debian's chromium is not installed (.ci/run installs it)", "GUIDEQA_REQUIRE_BROWSER")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        b = p.chromium.launch(
            executable_path=CHROMIUM,
            headless=True,
            args=["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )
        yield b
        b.close()


@pytest.mark.parametrize("width,height,name", [(1280, 900, "desktop"), (390, 844, "phone")])
def test_ask_cite_follow_up(browser, live_server, width, height, name):
    page = browser.new_page(viewport={"width": width, "height": height})
    page.goto(live_server + "/")
    page.fill("#question", PDPH)
    page.click("#submit")
    first = page.locator("article.turn").first
    first.wait_for(timeout=60_000)
    assert "From the Guidelines" in first.inner_text()
    assert "not medical advice" in first.inner_text()

    first.locator("button.cite").first.click()
    evidence = page.locator("#evidence")
    evidence.locator("blockquote.passage").first.wait_for(timeout=30_000)
    assert evidence.is_visible()
    page.click("#close-evidence")

    assert page.inner_text("#ask-label") == "Have a follow-up question?"
    conversation = page.get_attribute("#thread", "data-conversation")
    page.fill("#question", "what about for cesarean delivery?")
    page.click("#submit")
    page.locator("article.turn").nth(1).wait_for(timeout=60_000)
    second = page.locator("article.turn").nth(1)
    assert second.get_attribute("data-turn") == "2"
    assert "Searched for:" in second.inner_text() and "cesarean" in second.inner_text()
    assert page.get_attribute("#thread", "data-conversation") == conversation
    # Usable at this width: nothing wider than the viewport.
    assert page.evaluate("document.documentElement.scrollWidth") <= width

    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"web-{name}.png"), full_page=True)
    page.close()


def test_errors_and_abstention_are_shown(browser, live_server):
    page = browser.new_page()
    page.goto(live_server + "/")
    page.evaluate("document.getElementById('question').value = 'y'.repeat(2500)")
    page.click("#submit")
    page.locator("#error").wait_for(state="visible", timeout=30_000)
    assert "limit" in page.inner_text("#error")
    page.fill("#question", "What is the torque setting for a carbon bicycle seat post clamp?")
    page.click("#submit")
    page.locator("p.abstention").wait_for(timeout=60_000)
    assert "do not directly address" in page.inner_text("p.abstention")
    page.close()


def test_llm_answer_shows_groups_and_unverified_marks(browser, llm_live_server):
    page = browser.new_page()
    page.goto(llm_live_server + "/")
    page.fill("#question", PDPH)
    page.click("#submit")
    turn = page.locator("article.turn").first
    turn.wait_for(timeout=60_000)
    assert page.locator("h4.group").first.inner_text() == "Bottom line"
    assert "not verified against the cited source" in page.locator("span.unverified").first.inner_text()
    assert "not medical advice" in turn.inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / "web-llm.png"), full_page=True)
    page.close()

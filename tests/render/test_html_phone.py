"""feedback.html on a phone: a 390-px-wide screen (an iPhone 12-15) shows the whole page
without sideways scrolling, long unbroken student text included. Headless Chromium lays
the page out as a phone browser does (device metrics with `mobile`, the page's viewport
meta honoured); the screenshot is kept for a person to look at."""

from __future__ import annotations

import base64
import os
import shutil
from dataclasses import replace
from pathlib import Path

import pytest

from autograder.render.html import to_html
from autograder.results import GradeReport, Message

pytestmark = pytest.mark.slow

PHONE_WIDTH = 390
CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
CHROMEDRIVER = shutil.which("chromedriver")


@pytest.fixture(scope="module")
def browser(tmp_path_factory):
    if not (CHROMIUM and CHROMEDRIVER):
        pytest.skip("chromium and chromium-driver are not installed (scripts/setup.sh installs them as root)")
    webdriver = pytest.importorskip("selenium.webdriver")
    from selenium.webdriver.chrome.service import Service

    opts = webdriver.ChromeOptions()
    opts.binary_location = CHROMIUM
    for arg in ("--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--hide-scrollbars", "--no-first-run", "--disable-background-networking",
                f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}"):
        opts.add_argument(arg)
    driver = webdriver.Chrome(service=Service(executable_path=CHROMEDRIVER), options=opts)
    driver.execute_cdp_cmd(
        "Emulation.setDeviceMetricsOverride",
        {"width": PHONE_WIDTH, "height": 844, "deviceScaleFactor": 1, "mobile": True},
    )
    yield driver
    driver.quit()


def _long_words(report: GradeReport) -> GradeReport:
    """The worst a submission can do to the layout: unbroken words in every text it reaches."""
    word = "x" * 200
    checks = (
        replace(report.checks[0], name="test_" + "tres_long_nom_" * 8),
        replace(report.checks[1], message=Message(fr=f"attendu {word}", en=f"expected {word}")),
        *report.checks[2:],
    )
    commit = replace(report.commit, message=word, notebook_path="dossier/" * 10 + "tp.ipynb")
    return replace(report, checks=checks, commit=commit)


@pytest.mark.parametrize("lang", ["fr", "en"])
@pytest.mark.parametrize("case", ["report", "long-words"])
def test_feedback_fits_a_phone_screen(browser, report, tmp_path, lang, case):
    page = tmp_path / f"feedback-{case}-{lang}.html"
    page.write_text(to_html(report if case == "report" else _long_words(report), lang, "Europe/Paris"), encoding="utf-8")
    browser.get(page.as_uri())
    # A phone browser zooms out (innerWidth grows) when the page is wider than the screen.
    assert browser.execute_script("return window.innerWidth") == PHONE_WIDTH
    assert browser.execute_script("return document.documentElement.scrollWidth") <= PHONE_WIDTH
    wider = browser.execute_script(
        "return [...document.querySelectorAll('body *')].filter(e => {"
        " const r = e.getBoundingClientRect(); return r.width > 0 && (r.right > arguments[0] + 0.5 || r.left < -0.5);"
        " }).map(e => e.tagName + '.' + e.className).slice(0, 10)",
        PHONE_WIDTH,
    )
    assert wider == [], f"elements past the screen's edge: {wider}"
    shot = browser.execute_cdp_cmd("Page.captureScreenshot", {"format": "png", "captureBeyondViewport": True})
    png = base64.b64decode(shot["data"])
    assert png.startswith(b"\x89PNG")
    keep = os.environ.get("AUTOGRADER_SCREENSHOTS")  # a folder to keep the screenshots in
    target = Path(keep) if keep else tmp_path
    target.mkdir(parents=True, exist_ok=True)
    (target / f"feedback-phone-{case}-{lang}.png").write_bytes(png)

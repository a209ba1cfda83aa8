"""The test console in headless Chromium: `python -m skill serve --dev`, then /console, driven by
selenium through Debian's chromium and chromium-driver (.ci/run installs them).

A conversation is typed with the keyboard; the test reads the reply bubbles, what the page gave
the browser's speech synthesis (recorded in place of speaking, since headless Chromium has no
voices), the JSON panel and the quiz panel, and saves screenshots in the test's temp dir.
Without Chromium the test fails under CI (CI=true) and is skipped, with the reason, elsewhere.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from skill.tools.simulator import SIMULATED_SKILL_ID, user_id
from tests.servers import Server, free_port, start, stop, without_proxies

CHROMIUM = Path("/usr/bin/chromium")
CHROMEDRIVER = Path("/usr/bin/chromedriver")
WAIT_SECONDS = 15
# Chromium's own background traffic (updates, sync, QUIC probes) is refused on a closed network
# and slows it down: none of it is needed to test a page on loopback.
CHROMIUM_ARGUMENTS = (
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--window-size=1280,1000",
)
# Installed in place of speechSynthesis.speak: keeps what would be said, then "finishes" it.
RECORD_SPEECH = """
window.spoken = [];
speechSynthesis.speak = (utterance) => {
  window.spoken.push({text: utterance.text, rate: utterance.rate, lang: utterance.lang});
  setTimeout(() => utterance.onend && utterance.onend(), 0);
};
"""


def _missing() -> str | None:
    for path in (CHROMIUM, CHROMEDRIVER):
        if not path.exists():
            return f"{path} is missing: apt-get install chromium chromium-driver (.ci/run does)"
    try:
        import selenium  # noqa: F401
    except ImportError:
        return "selenium is missing: pip install -r requirements-dev.txt"
    return None


@pytest.fixture(scope="module")
def browser(tmp_path_factory) -> Iterator[Any]:
    missing = _missing()
    if missing and os.environ.get("CI"):
        pytest.fail(f"the browser test cannot run in CI: {missing}")
    if missing:
        pytest.skip(missing)
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service

    options = webdriver.ChromeOptions()
    options.binary_location = str(CHROMIUM)  # and the driver's path: selenium-manager fetches none
    for argument in CHROMIUM_ARGUMENTS:
        options.add_argument(argument)
    options.add_argument(f"--user-data-dir={tmp_path_factory.mktemp('chromium-profile')}")
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    driver = webdriver.Chrome(service=Service(str(CHROMEDRIVER)), options=options)
    driver.set_page_load_timeout(WAIT_SECONDS)
    yield driver
    driver.quit()


@pytest.fixture(scope="module", autouse=True)
def no_proxies() -> Iterator[None]:
    yield from without_proxies()


@pytest.fixture(scope="module")
def dev_server(tmp_path_factory) -> Iterator[Server]:
    port = free_port()
    command = [sys.executable, "-m", "skill", "serve", "--dev", "--port", str(port)]
    log = tmp_path_factory.mktemp("console") / "server.log"
    server = start(command, {"SKILL_ID": SIMULATED_SKILL_ID}, log, port)
    yield server
    stop(server)


class Page:
    """The console page as a student and a developer use it."""

    def __init__(self, driver: Any) -> None:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support.ui import WebDriverWait

        self.driver = driver
        self.by = By
        self.wait = WebDriverWait(driver, WAIT_SECONDS)

    def find(self, css: str) -> Any:
        return self.driver.find_element(self.by.CSS_SELECTOR, css)

    def texts(self, css: str) -> list[str]:
        return [e.text for e in self.driver.find_elements(self.by.CSS_SELECTOR, css)]

    def say(self, utterance: str) -> str:
        """Type, press Enter, and return Alexa's reply as the page shows it."""
        from selenium.webdriver.common.keys import Keys

        replies = len(self.texts("#transcript .alexa"))
        box = self.find("#utterance")
        box.send_keys(utterance, Keys.ENTER)
        self.wait.until(lambda _: len(self.texts("#transcript .alexa")) > replies)
        self.wait.until(lambda _: box.get_attribute("value") == "")
        return self.texts("#transcript .alexa .speech")[-1]

    def spoken(self) -> list[dict[str, Any]]:
        return self.driver.execute_script("return window.spoken")


def test_a_quiz_conversation_in_the_browser(browser, dev_server, tmp_path):
    page = Page(browser)
    browser.get(f"{dev_server.base}/console")
    page.wait.until(lambda _: page.texts("#locale option"))
    browser.execute_script(RECORD_SPEECH)
    page.wait.until(lambda _: browser.switch_to.active_element == page.find("#utterance"))

    # A question: the reply is shown, spoken, and its JSON is there both ways.
    reply = page.say("how big was the loan")
    assert "300 million" in reply
    page.wait.until(lambda _: "300 million" in " ".join(s["text"] for s in page.spoken()))
    assert {s["lang"] for s in page.spoken()} == {"en-GB"}
    exchange = page.find("#exchanges details[open]")
    assert "how big was the loan" in exchange.find_element(page.by.TAG_NAME, "summary").text
    request_json, response_json = page.texts("#exchanges details[open] pre")
    assert '"type": "IntentRequest"' in request_json and '"locale": "en-GB"' in request_json
    assert '"outputSpeech"' in response_json and "300 million" in response_json
    assert "IntentRequest" in page.find("#resolution").text
    assert "session open" in page.find("#session-state").text

    # A quiz: the question, the quiz panel, and a right answer moving it on.
    assert "Question 1 of 5" in page.say("quiz me")
    quiz = page.find("#quiz")
    assert "Question 1 of 5" in quiz.text
    page.find("#quiz .answer-key summary").click()
    answer = page.find("#quiz .answer-key p").text
    assert answer
    reply = page.say(answer)
    assert "Question 2 of 5" in reply
    assert "Question 2 of 5" in page.find("#quiz").text
    assert page.texts("#quiz .marks li") == ["right (1)"]
    assert '"quiz"' in page.find("#attributes").text
    assert len(browser.find_elements(page.by.CSS_SELECTOR, "#exchanges details")) == 3
    assert len(browser.find_elements(page.by.CSS_SELECTOR, "#exchanges details[open]")) == 1

    # Muted, nothing more is spoken.
    page.find("#speak").click()
    said_before = len(page.spoken())
    assert "Question 3 of 5" in page.say("skip")
    assert len(page.spoken()) == said_before

    height = browser.execute_script("return document.documentElement.scrollHeight")
    browser.set_window_size(1280, height + 100)  # the whole page, JSON panels included
    browser.save_screenshot(str(tmp_path / "console.png"))
    browser.set_window_size(390, 844)  # a phone
    assert browser.execute_script(
        "return document.documentElement.scrollWidth <= window.innerWidth"
    ), "the page is wider than a phone's screen"
    browser.save_screenshot(str(tmp_path / "console-phone.png"))
    browser.set_window_size(1280, 1000)

    # End session: the badge says so and the state is gone.
    page.find("#end").click()
    page.wait.until(lambda _: "no session" in page.find("#session-state").text)
    assert page.find("#quiz").text == "No quiz in this session."

    # Another student, by name, as `chat --user sam`: the next request is theirs.
    from selenium.webdriver.support.ui import Select

    Select(page.find("#student")).select_by_value("returning")
    assert page.find("#name").is_displayed()
    page.wait.until(lambda _: any("returning" in t for t in page.texts("#transcript .divider")))
    replies = len(page.texts("#transcript .alexa"))
    page.find("#launch").click()
    page.wait.until(lambda _: len(page.texts("#transcript .alexa")) > replies)
    assert user_id("sam") in page.texts("#exchanges details[open] pre")[0]

    for name in ("console.png", "console-phone.png"):
        assert (tmp_path / name).stat().st_size > 10_000
    errors = [e for e in browser.get_log("browser") if e["level"] == "SEVERE"]
    assert not errors, errors  # no script error, no refused resource
    logs = dev_server.logs()
    assert "how big was the loan" not in logs and "SIMULATED-" not in logs


def test_ssml_becomes_text_pauses_and_rates(browser, dev_server):
    browser.get(f"{dev_server.base}/console/")
    Page(browser).wait.until(lambda _: browser.execute_script("return !!window.TestConsole"))
    segments = browser.execute_script(
        "return TestConsole.ssmlToSegments(arguments[0])",
        '<speak>Question 1 of 5. <break time="300ms"/> Here&apos;s one. <break time="1.5s"/>'
        '<prosody rate="80%">Slowly <break strength="strong"/> now.</prosody>'
        '<amazon:effect name="whispered">quietly</amazon:effect> '
        '<sub alias="Union of Soviet Socialist Republics">USSR</sub></speak>',
    )
    assert segments == [
        {"text": "Question 1 of 5.", "rate": 1},
        {"pause": 300},
        {"text": "Here's one.", "rate": 1},
        {"pause": 1500},
        {"text": "Slowly", "rate": 0.8},
        {"pause": 700},
        {"text": "now.", "rate": 0.8},
        {"text": "quietly Union of Soviet Socialist Republics", "rate": 1},
    ]
    broken = browser.execute_script("return TestConsole.ssmlToSegments('<speak>a < b')")
    assert broken == [{"text": "a < b", "rate": 1}]

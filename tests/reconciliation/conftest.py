from tests.browser.conftest import browser, page  # noqa: F401 - the same headless chromium as tests/browser

"""A real browser (headless Chromium through chromedriver and Selenium) for
the web page's system tests (test_web.py), and a plain HTTP client for its API.

Everything a Browser starts (chromedriver and the Chromium processes under
it) is stopped by PID at the Env's cleanup, also when the case fails."""

import base64
import http.client
import json
import os
import signal
import time

import lanlord_test as lt

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"

try:
    from selenium import webdriver
    from selenium.common.exceptions import (NoAlertPresentException, NoSuchElementException,
                                            StaleElementReferenceException)
    from selenium.webdriver.chrome.service import Service
    from selenium.webdriver.common.by import By
    HAVE_SELENIUM = True
except ImportError:  # python3-selenium missing: the browser cases skip
    HAVE_SELENIUM = False


def require_browser():
    """Raises Skip unless Selenium, Chromium and chromedriver are installed."""
    if not HAVE_SELENIUM:
        raise lt.Skip("python3-selenium is not installed")
    for path in (CHROMIUM, CHROMEDRIVER):
        if not os.access(path, os.X_OK):
            raise lt.Skip(f"{path} is not installed (chromium, chromium-driver)")


class Browser:
    """One headless Chromium with a fresh profile in the case's temp dir."""

    count = 0

    def __init__(self, env, base_url, width=1280, height=900):
        require_browser()
        Browser.count += 1
        self.env, self.base_url = env, base_url.rstrip("/")
        self.dir = os.path.join(env.tmp, f"chromium{Browser.count}")
        os.makedirs(self.dir)
        options = webdriver.ChromeOptions()
        options.binary_location = CHROMIUM
        for arg in ("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                    f"--user-data-dir={self.dir}/profile", f"--window-size={width},{height}",
                    "--no-first-run", "--no-default-browser-check", "--disable-extensions",
                    "--disable-background-networking", "--disable-component-update", "--disable-sync",
                    "--metrics-recording-only", "--password-store=basic", "--hide-scrollbars"):
            options.add_argument(arg)
        options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
        self.service = Service(CHROMEDRIVER, log_path=os.path.join(self.dir, "chromedriver.log"))
        self.driver = None
        env.defer(self.quit)  # before the driver exists: a failed start still kills chromedriver
        start = time.monotonic()
        self.driver = webdriver.Chrome(service=self.service, options=options)
        self.driver.set_page_load_timeout(20)
        self.driver.set_script_timeout(20)
        lt.log(f"chromium started in {time.monotonic() - start:.1f} s (chromedriver pid "
               f"{self.service.process.pid}), {width}x{height}")
        self.console = []  # browser log entries read so far

    # -- lifetime

    def quit(self):
        proc = getattr(self.service, "process", None)
        pids = lt.descendants(proc.pid) if proc else []
        if self.driver is not None:
            try:
                self.driver.quit()
            except Exception as e:  # the browser may be gone already
                lt.log(f"driver.quit(): {e}")
            self.driver = None
        if proc is not None:
            lt.stop_process_tree(proc, timeout=3)
        for pid in pids:  # Chromium's processes, should quit() have left one
            if lt._alive(pid):
                try:
                    os.kill(pid, signal.SIGKILL)
                except ProcessLookupError:
                    pass

    # -- navigation and DOM

    def get(self, path="/"):
        self.driver.get(self.base_url + path)

    def js(self, script, *args):
        return self.driver.execute_script(script, *args)

    def find(self, css):
        return self.driver.find_element(By.CSS_SELECTOR, css)

    def find_all(self, css):
        return self.driver.find_elements(By.CSS_SELECTOR, css)

    def wait(self, predicate, timeout, what, interval=0.1):
        """Polls predicate() (which may touch the DOM) until true; a stale or
        missing element counts as false."""
        def attempt():
            try:
                return predicate()
            except (StaleElementReferenceException, NoSuchElementException):
                return None
        return lt.wait_until(attempt, timeout, what, interval)

    def visible(self, css):
        """The element exists and is shown (not hidden, has a box)."""
        els = self.find_all(css)
        return bool(els) and els[0].is_displayed()

    def wait_visible(self, css, timeout=10):
        self.wait(lambda: self.visible(css), timeout, f"{css} to be shown")
        return self.find(css)

    def click(self, css):
        el = self.wait_visible(css)
        el.click()
        return el

    def text(self, css):
        return self.js("const e = document.querySelector(arguments[0]); return e ? e.textContent : null;", css)

    def go(self, page):
        """Shows `page` through its nav link, as a user would."""
        self.click(f'#nav a[data-page="{page}"]')
        self.wait_visible(f"#page-{page}")

    # -- the page's session

    def login(self, password):
        self.get("/")
        field = self.wait_visible("#login-password")
        field.clear()
        field.send_keys(password)
        self.find("#login-submit").click()

    def logged_in(self):
        return self.js("return !document.body.classList.contains('logged-out') && "
                       "document.getElementById('login-view').hidden;")

    def api(self, method, path, body=None):
        """An API request from the page's origin with its session (fetch, credentials same-origin);
        GET needs no token, anything else reads a fresh one from /api/session. Returns (status, json)."""
        return self.driver.execute_async_script("""
            const [method, path, body, done] = arguments;
            (async () => {
              const headers = {'Accept': 'application/json'};
              const init = {method, headers, credentials: 'same-origin', cache: 'no-store'};
              if (method !== 'GET') {
                const s = await (await fetch('/api/session', {credentials: 'same-origin'})).json();
                headers['X-CSRF-Token'] = s.result.csrf;
                headers['Content-Type'] = 'application/json';
                init.body = JSON.stringify(body || {});
              }
              const r = await fetch(path, init);
              let data = null;
              try { data = await r.json(); } catch (e) {}
              done([r.status, data]);
            })().catch((e) => done([0, String(e)]));
        """, method, path, body)

    # -- checks

    def console_log(self):
        """New browser console entries since the last call."""
        entries = self.driver.get_log("browser")
        self.console += entries
        return entries

    def alert_text(self):
        """The text of an open alert, or None."""
        try:
            return self.driver.switch_to.alert.text
        except NoAlertPresentException:
            return None

    def screenshot(self, path, full_page=True):
        """A PNG of the viewport, or of the whole page (its full scroll height) when full_page."""
        os.makedirs(os.path.dirname(path), exist_ok=True)
        if full_page:
            width, height = self.js("return [document.documentElement.clientWidth, "
                                    "document.documentElement.scrollHeight];")
            shot = self.driver.execute_cdp_cmd("Page.captureScreenshot", {
                "format": "png", "captureBeyondViewport": True,
                "clip": {"x": 0, "y": 0, "width": width, "height": min(height, 8000), "scale": 1}})
            with open(path, "wb") as fh:
                fh.write(base64.b64decode(shot["data"]))
        else:
            lt.check(self.driver.save_screenshot(path), f"screenshot {path} written")
        lt.check(os.path.getsize(path) > 1000, f"screenshot {path} written")
        lt.log(f"screenshot {path}")

    def set_viewport(self, width, height, mobile=False):
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride",
                                    {"width": width, "height": height, "deviceScaleFactor": 1, "mobile": mobile})

    def set_color_scheme(self, scheme):
        self.driver.execute_cdp_cmd("Emulation.setEmulatedMedia",
                                    {"features": [{"name": "prefers-color-scheme", "value": scheme}]})


# ---------------------------------------------------------------- plain HTTP, for the API's own checks

class HttpResponse:
    def __init__(self, status, headers, body):
        self.status, self.headers, self.body = status, headers, body

    def header(self, name):
        return self.headers.get(name.lower())

    def all_headers(self, name):
        return [v for k, v in self.raw_headers if k.lower() == name.lower()]

    def json(self):
        try:
            return json.loads(self.body)
        except ValueError:
            return None

    def __repr__(self):
        return f"HTTP {self.status} {self.body[:200]!r}"


def http_request(host, port, method, path, body=None, headers=None, timeout=10):
    """One request on a new connection; body: bytes, str or a JSON-able object."""
    conn = http.client.HTTPConnection(host, port, timeout=timeout)
    try:
        h = dict(headers or {})
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            h.setdefault("Content-Type", "application/json")
        conn.request(method, path, body=body, headers=h)
        r = conn.getresponse()
        data = r.read()
        out = HttpResponse(r.status, {k.lower(): v for k, v in r.getheaders()}, data.decode(errors="replace"))
        out.raw_headers = r.getheaders()
        return out
    finally:
        conn.close()

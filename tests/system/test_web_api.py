#!/usr/bin/python3
"""System tests of the query log and the web page's API without a browser
(tests/system/test_web.py drives the page in Chromium): lanlordctl querylog,
block/allow from the page's lists, privacy levels, and the resolver
comparison run by the daemon for the page."""

import http.cookiejar
import json
import os
import sys
import time
import urllib.error
import urllib.request

import lanlord_test as lt
from lanlord_test import check, check_eq, dig

ZONE = ["www IN A 192.0.2.1", "ads IN A 192.0.2.66", "sub.ads IN A 192.0.2.67"]
PASSWORD = "correct horse battery"


class Setup:
    def __init__(self, env, web=False, querylog=None):
        self.env = env
        self.nsd = env.nsd("nsd", env.addr(11), {"a.test": lt.zone("a.test", ZONE)})
        self.listen = env.addr(1)
        self.client = env.addr(5)
        self.socket = os.path.join(env.tmp, "control.sock")
        self.web = f"{env.addr(1)}:8080" if web else None
        self.hosts = env.write("hosts", f"{self.client} laptop.lan laptop\n")
        self.blocklist = env.write("block.list", "blocked.a.test\n")
        self.querylog = querylog or {}
        self.config_path = env.write("lanlord.toml", self.config_text())
        self.ll = env.start_lanlord(open(self.config_path).read())

    def config_text(self):
        text = lt.lanlord_config([f"{self.listen}:53"], [{"name": "main", "servers": [self.nsd.address]}],
                                 local={"hosts": [self.hosts]}, blocklist={"files": [self.blocklist]})
        text += f'\n[control]\nsocket = "{self.socket}"\n'
        if self.querylog:
            text += "\n[querylog]\n" + "".join(f"{k} = {json.dumps(v)}\n" for k, v in self.querylog.items())
        if self.web:
            text += f'\n[web]\nlisten = "{self.web}"\n'
        return text

    def ctl(self, *args, rc=0, stdin=None):
        return lt.lanlordctl(self.env, self.socket, *args, rc=rc)

    def ctl_json(self, *args):
        return lt.lanlordctl_json(self.env, self.socket, *args)

    def set_password(self):
        import subprocess
        p = subprocess.run([lt.lanlordctl_path(self.env), "--socket", self.socket, "web-password"],
                           input=PASSWORD + "\n", capture_output=True, text=True, timeout=20)
        check_eq(p.returncode, 0, f"lanlordctl web-password ({p.stderr.strip()})")


def ask(s, name, rtype="A", source=None):
    return dig(s.listen, name, rtype, source=source)


def case_querylog(env):
    """lanlordctl querylog: every query with its outcome, the client by its hosts name, filters; privacy
    levels applied at reload to new records only."""
    s = Setup(env)
    check_eq(ask(s, "www.a.test", source=s.client).status, "NOERROR", "forwarded answer")
    check_eq(ask(s, "www.a.test", source=s.client).status, "NOERROR", "cached answer")
    check_eq(ask(s, "blocked.a.test", source=s.client).status, "NXDOMAIN", "blocked answer")
    check_eq(ask(s, "laptop.lan").status, "NOERROR", "local answer")
    ask(s, "a.test", "AXFR")  # refused (dig reports a failed transfer)
    records = s.ctl_json("querylog", "--limit", "50")["records"]
    got = [(r["name"], r["type"], r["outcome"]) for r in reversed(records)]
    check_eq(got, [("www.a.test", "A", "forwarded"), ("www.a.test", "A", "cached"),
                   ("blocked.a.test", "A", "blocked"), ("laptop.lan", "A", "local"),
                   ("a.test", "AXFR", "refused")], "the log, oldest first")
    first = records[-1]
    check_eq(first["client"], s.client, "client address")
    check_eq(first["client_name"], "laptop.lan", "client name from the hosts file")
    check_eq(first["answer"], "192.0.2.1", "answer summary")
    check(first["answer_ms"] > 0, "a forwarded answer took time")
    check(abs(first["time_ms"] / 1000 - time.time()) < 30, "wall-clock time of the query")
    check_eq(records[0]["client_name"], "", "a client with no name")
    # Filters, and the table.
    check_eq([r["outcome"] for r in s.ctl_json("querylog", "blocked")["records"]], ["blocked"], "name filter")
    table = s.ctl("querylog").stdout
    check("laptop.lan (" + s.client + ")" in table and "forwarded" in table, "the table names the client")

    # hide_names from the next record on; earlier records stay as stored.
    with open(s.config_path, "a") as fh:
        fh.write('\n[querylog]\nprivacy = "hide_names"\n')
    s.ctl("reload")
    ask(s, "www.a.test", source=s.client)
    records = s.ctl_json("querylog", "--limit", "50")["records"]
    check_eq((records[0]["name"], records[0]["answer"], records[0]["client"]), ("", "", s.client),
             "hide_names blanks the name and answer, not the client")
    check_eq(records[1]["name"], "a.test", "older records keep their names")
    text = open(s.config_path).read().replace('privacy = "hide_names"', 'privacy = "off"')
    open(s.config_path, "w").write(text)
    s.ctl("reload")
    ask(s, "www.a.test")
    check_eq(len(s.ctl_json("querylog", "--limit", "50")["records"]), len(records), "privacy off logs nothing")


def case_page_lists(env):
    """lanlordctl block/allow/unlist (the page's lists): applied at once, above the blocklist, kept in the
    state directory across a restart; cached answers are checked again."""
    s = Setup(env)
    check_eq(ask(s, "www.a.test").status, "NOERROR", "cached before the block")
    s.ctl("block", "www.a.test")
    check_eq(ask(s, "www.a.test").status, "NXDOMAIN", "a cached name blocked from the page")
    check_eq(ask(s, "x.www.a.test").status, "NXDOMAIN", "and the names below it")
    s.ctl("allow", "blocked.a.test")
    r = ask(s, "blocked.a.test")
    check_eq(r.status, "NXDOMAIN", "the page's allow only unblocks (NSD has no such name)")
    check_eq(s.ctl_json("querylog", "--limit", "1")["records"][0]["outcome"], "forwarded",
             "allowed from the page: asked upstream, not blocked")
    state = s.ll.state_dir
    check_eq(open(os.path.join(state, "web-blocked.list")).read().splitlines()[1:], ["www.a.test."],
             "web-blocked.list")
    check_eq(open(os.path.join(state, "web-allowed.list")).read().splitlines()[1:], ["blocked.a.test."],
             "web-allowed.list")
    s.ctl("block", "ads.a.test")
    check_eq(ask(s, "sub.ads.a.test").status, "NXDOMAIN", "a parent blocked")
    # Restart: the lists come back from the state directory.
    s.ll.stop()
    s.ll = env.start_lanlord(open(s.config_path).read(), name="lanlord")
    check_eq(ask(s, "www.a.test").status, "NXDOMAIN", "blocked after a restart")
    s.ctl("unlist", "www.a.test")
    check_eq(ask(s, "www.a.test").status, "NOERROR", "unlisted: answered again")
    check_eq(ask(s, "blocked.a.test").status, "NXDOMAIN", "still allowed (NSD: no such name)")
    check_eq(s.ctl_json("querylog", "--limit", "1")["records"][0]["outcome"], "forwarded", "still allowed")
    s.ctl("unlist", "blocked.a.test")
    check_eq(ask(s, "blocked.a.test").status, "NXDOMAIN", "blocked by the list again")
    check_eq(s.ctl_json("querylog", "--limit", "1")["records"][0]["outcome"], "blocked", "by the blocklist")
    s.ctl("block", "..", rc=1)


class Session:
    """An HTTP client with the page's cookie and CSRF token."""

    def __init__(self, base):
        self.base = base
        self.jar = http.cookiejar.CookieJar()
        self.opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(self.jar))
        self.csrf = ""

    def call(self, method, path, body=None):
        data = json.dumps(body).encode() if body is not None else None
        req = urllib.request.Request(self.base + path, data=data, method=method)
        req.add_header("Content-Type", "application/json")
        if self.csrf:
            req.add_header("X-CSRF-Token", self.csrf)
        try:
            with self.opener.open(req, timeout=10) as r:
                return r.status, r.headers, r.read()
        except urllib.error.HTTPError as e:
            return e.code, e.headers, e.read()

    def login(self, password):
        status, _, body = self.call("POST", "/api/login", {"password": password})
        if status == 200:
            self.csrf = json.loads(body)["result"]["csrf"]
        return status


def case_bench(env):
    """The page's resolver comparison: POST /api/bench runs lanlordctl bench's code in the daemon against
    a given server and lanlord itself; the results and the chart come back through the API."""
    s = Setup(env, web=True)
    s.set_password()
    web = Session(f"http://{s.web}")
    check_eq(web.login(PASSWORD), 200, "login")
    status, _, body = web.call("POST", "/api/bench", {"servers": [s.nsd.address]})
    check_eq(status, 200, f"bench started ({body[:200]!r})")
    status, _, body = web.call("POST", "/api/bench", {"servers": [s.nsd.address]})
    check_eq(status, 409, "a second run while one runs")
    deadline = time.time() + 60
    while True:
        status, _, body = web.call("GET", "/api/bench")
        state = json.loads(body)["result"]
        if state["state"] != "running" or time.time() > deadline:
            break
        time.sleep(0.5)
    check_eq(state["state"], "done", f"the comparison finished ({state.get('error')})")
    names = sorted(r["address"] for r in state["results"])
    check_eq(names, sorted([f"{s.nsd.address}:53", f"{s.listen}:53"]), "both targets measured")
    for r in state["results"]:
        check(r["answered"] > 0, f"{r['name']} answered")
    status, headers, svg = web.call("GET", "/api/bench/chart.svg?t=1")
    check_eq(status, 200, "chart")
    check_eq(headers.get("Content-Type"), "image/svg+xml", "chart type")
    check(b"<svg" in svg[:300], "an SVG document")


if __name__ == "__main__":
    sys.exit(lt.main({"querylog": case_querylog, "page_lists": case_page_lists, "bench": case_bench}))

#!/usr/bin/env python3
"""cdp_dom.py URL UNTIL TIMEOUT_S: the DOM of URL in headless chromium, once
the JavaScript expression UNTIL is true.

chromium --dump-dom cannot read the live dashboard: it dumps at the load
event, before the first event of the page's stream has come, and with
--virtual-time-budget it waits for the network to go quiet, which an open
stream (EventSource) never does. So this drives the browser over the
DevTools protocol on a pipe (--remote-debugging-pipe: JSON messages ended by
a NUL byte on fds 3 and 4), asks the page every 100 ms of real time whether
UNTIL holds, and prints document.documentElement.outerHTML.

Exit 0; 1 when UNTIL was still false after TIMEOUT_S (the DOM is printed all
the same); 2 when the browser could not be driven."""
import ctypes
import fcntl
import json
import os
import shutil
import signal
import sys
import tempfile
import time

CHROMIUM = "/usr/bin/chromium"


class Browser:
    def __init__(self, url, profile):
        to_r, self.to_w = os.pipe()
        self.from_r, from_w = os.pipe()
        # Out of the way of 3 and 4 first: dup2 onto its own number would
        # leave the close-on-exec flag set.
        hi_r, hi_w = fcntl.fcntl(to_r, fcntl.F_DUPFD, 10), fcntl.fcntl(from_w, fcntl.F_DUPFD, 10)
        self.pid = os.fork()
        if self.pid == 0:
            try:
                ctypes.CDLL(None).prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG: it dies with this script
                os.dup2(hi_r, 3)
                os.dup2(hi_w, 4)
                devnull = os.open(os.devnull, os.O_RDWR)
                for fd in (0, 1, 2):
                    os.dup2(devnull, fd)
                os.execv(CHROMIUM, [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic",
                                    "--no-first-run", "--disable-background-networking",
                                    "--disable-component-update", "--disable-sync", "--remote-debugging-pipe",
                                    "--user-data-dir=" + profile, url])
            finally:
                os._exit(127)
        for fd in (to_r, from_w, hi_r, hi_w):
            os.close(fd)
        self.next_id = 0
        self.pending = b""

    def call(self, method, params=None, session=None, timeout_s=30.0):
        self.next_id += 1
        msg = {"id": self.next_id, "method": method, "params": params or {}}
        if session is not None:
            msg["sessionId"] = session
        os.write(self.to_w, json.dumps(msg).encode() + b"\0")
        deadline = time.monotonic() + timeout_s
        while True:  # replies and events come in order; events have no id
            while b"\0" not in self.pending:
                if time.monotonic() > deadline:
                    raise RuntimeError("no reply to " + method)
                chunk = os.read(self.from_r, 65536)
                if not chunk:
                    raise RuntimeError("the browser closed its pipe (" + method + ")")
                self.pending += chunk
            raw, self.pending = self.pending.split(b"\0", 1)
            reply = json.loads(raw)
            if reply.get("id") == self.next_id:
                if "error" in reply:
                    raise RuntimeError(method + ": " + json.dumps(reply["error"]))
                return reply.get("result", {})

    def evaluate(self, session, expression):
        result = self.call("Runtime.evaluate", {"expression": expression, "returnByValue": True}, session)
        return result.get("result", {}).get("value")

    def close(self):
        try:
            self.call("Browser.close", timeout_s=5.0)
        except (RuntimeError, OSError):
            pass
        for _ in range(50):
            if os.waitpid(self.pid, os.WNOHANG)[0] != 0:
                return
            time.sleep(0.1)
        os.kill(self.pid, 9)
        os.waitpid(self.pid, 0)


def main():
    if len(sys.argv) != 4:
        sys.stderr.write(__doc__)
        return 2
    url, until, timeout_s = sys.argv[1], sys.argv[2], float(sys.argv[3])
    profile = tempfile.mkdtemp(prefix="sayhi-chromium-")
    browser = Browser(url, profile)
    try:
        deadline = time.monotonic() + timeout_s
        page = None
        while page is None:
            pages = [t for t in browser.call("Target.getTargets")["targetInfos"] if t["type"] == "page"]
            if pages:
                page = pages[0]["targetId"]
            elif time.monotonic() > deadline:
                raise RuntimeError("no page opened")
            else:
                time.sleep(0.1)
        session = browser.call("Target.attachToTarget", {"targetId": page, "flatten": True})["sessionId"]
        held = False
        while True:
            held = bool(browser.evaluate(session, until))
            if held or time.monotonic() > deadline:
                break
            time.sleep(0.1)
        sys.stdout.write(browser.evaluate(session, "document.documentElement.outerHTML") or "")
        return 0 if held else 1
    except (RuntimeError, OSError, ValueError, KeyError) as e:
        sys.stderr.write("cdp_dom.py: %s\n" % e)
        return 2
    finally:
        browser.close()
        shutil.rmtree(profile, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())

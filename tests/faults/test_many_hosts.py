"""Many hosts: the broker, a PostgreSQL of its own, the gateway, each service and each consumer on a
host of its own (a network namespace with its own address). An API write and a core-banking stream
leave the same state as on one machine — so no process reaches another by loopback, reads another's
files, or gets its keys other than by configuration."""
import pytest

from services.customer.models import AuditEntry
from shared.db import table_of
from tests.e2e.conftest import Api, entered_in_thread, stack_from_async
from tests.faults.conftest import compared_columns, snapshot
from tests.faults.hosts import many_hosts_stack, unavailable
from tests.support import wait_for
from tools.devstack import Stack
from tools.simulator import generate, publish
from tools.watch import caught_up, query

pytestmark = [pytest.mark.e2e, pytest.mark.faults]

CUSTOMERS, EVENTS = 100, 1000
NEW_CUSTOMER = "C0MANYHOSTS1"   # not one of the simulator's (C000001…)


async def drive(stack: Stack) -> dict:
    """An RM registers a customer through the gateway (customer service → outbox → broker → tasks
    consumer), then core banking sends its stream; returns the final state once all is quiet."""
    api = Api(stack)
    r = await api.call("POST", "/customers", "rm01", json={"cif": NEW_CUSTOMER, "name": "周女士", "kind": "retail"})
    assert r.status_code == 201, r.text

    async def in_the_tasks_book():
        return await query(stack, "tasks", "SELECT owner FROM customer_book WHERE cif = :c", c=NEW_CUSTOMER)
    assert (await wait_for(in_the_tasks_book, timeout=60, what="the new customer in the tasks service's book")) \
        == [("rm01",)]
    assert stack.kafka
    await publish(stack.kafka, generate(CUSTOMERS, EVENTS))
    await caught_up(stack, timeout=120)
    return await snapshot(stack)


CLIENT = [c.name for c in compared_columns(table_of(AuditEntry))].index("client")   # in a snapshot's audit rows


def callers(state: dict) -> set[str]:
    """The caller addresses the customer service's audit entries hold (as the gateway forwarded them)."""
    return {row[CLIENT] for row in state["customer.audit_entry"]} - {"None"}


def without_callers(state: dict) -> dict:
    client = CLIENT
    entries = [(*row[:client], "<caller>", *row[client + 1:]) for row in state["customer.audit_entry"]]
    return {**state, "customer.audit_entry": entries}


async def test_a_stack_spread_over_hosts_ends_in_the_state_of_one_machine(pg_server, tmp_path_factory, record_property):
    reason = unavailable()
    if reason:
        pytest.skip(f"many-hosts run needs network namespaces: {reason}")
    async with entered_in_thread(many_hosts_stack(tmp_path_factory.mktemp("hosts") / "var")) as stack:
        assert len({stack.host(name) for name in stack.procs}) == len(stack.procs)   # one host each
        assert not any(stack.host(name).startswith("127.") for name in stack.procs)
        hosts, outside = len(stack.procs) + 1, stack.hosts.outside   # + PostgreSQL's host
        spread = await drive(stack)
    async with stack_from_async("postgres", pg_server, tmp_path_factory.mktemp("one"), "onehost") as stack:
        one_machine = await drive(stack)
    assert spread["ledger"] and any(t[0] == "loan_due" for t in spread["tasks"])   # the stream did its work
    # the audit names the phone's address, not the gateway's: the one thing that may differ between the runs
    assert (callers(spread), callers(one_machine)) == ({outside}, {"127.0.0.1"})
    spread, one_machine = without_callers(spread), without_callers(one_machine)
    for part in one_machine:   # name what differs, not just that something does
        assert spread[part] == one_machine[part], part
    assert spread.keys() == one_machine.keys()
    record_property("events", EVENTS)
    record_property("hosts", hosts)
    record_property("tasks", len(spread["tasks"]))

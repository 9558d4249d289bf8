"""Helpers for reading what the workflow did: the order in DynamoDB and the execution history."""

from __future__ import annotations

import pytest

from tests.conftest import wait_for


class Observer:
    def __init__(self, sandbox) -> None:
        self.sfn = sandbox.aws.client("stepfunctions")
        self.sandbox = sandbox

    @staticmethod
    def order(order_id: str):
        from orders.store import orders

        return orders.get(order_id)

    def wait_status(self, order_id: str, status: str, timeout: float = 45):
        return wait_for(
            lambda: (o := self.order(order_id)) and o.status == status and o,
            timeout=timeout,
            what=f"order {order_id} to be {status}",
        )

    def wait_offer(self, world, tech_id: str, order_id: str, timeout: float = 45) -> str:
        def find():
            result = world.as_technician(tech_id, "GET", "/offers")
            return next((o["offer_id"] for o in result.body["offers"] if o["order_id"] == order_id), None)

        return wait_for(find, timeout=timeout, what=f"an offer of {order_id} to {tech_id}")

    def execution_arn(self, order_id: str) -> str:
        from shared import workflow

        return workflow.execution_arn_for(order_id)

    def execution_status(self, order_id: str) -> str:
        return self.sfn.describe_execution(executionArn=self.execution_arn(order_id))["status"]

    def wait_execution(self, order_id: str, status: str, timeout: float = 45) -> str:
        return wait_for(
            lambda: self.execution_status(order_id) == status, timeout=timeout, what=f"execution of {order_id} to be {status}"
        )

    def history(self, order_id: str) -> list[dict]:
        events, kwargs = [], {"executionArn": self.execution_arn(order_id)}
        while True:
            page = self.sfn.get_execution_history(**kwargs)
            events += page["events"]
            if not page.get("nextToken"):
                return events
            kwargs["nextToken"] = page["nextToken"]

    def states_entered(self, order_id: str) -> list[str]:
        return [e["stateEnteredEventDetails"]["name"] for e in self.history(order_id) if e["type"].endswith("StateEntered")]


@pytest.fixture
def observe(sandbox) -> Observer:
    return Observer(sandbox)

"""The order lifecycle's one definition file, and how its `${...}` placeholders are filled.

CDK (`DefinitionBody.from_file` + `definition_substitutions`), the sandbox and the tests all start from
`ORDER_LIFECYCLE_ASL` and `placeholder_values()`, so they cannot disagree on what the workflow calls.
"""

from __future__ import annotations

import re
from pathlib import Path

from deploy.catalog import Trigger, by_trigger

ORDER_LIFECYCLE_ASL = Path(__file__).resolve().with_name("order_lifecycle.asl.json")
PLACEHOLDER = re.compile(r"\$\{(\w+)\}")


def placeholder_values(*, table_name: str, function_arns: dict[str, str]) -> dict[str, str]:
    """Every placeholder the ASL may use: the table and each workflow function's ARN, by function name."""
    return {"TableName": table_name, **{f.asl_placeholder: function_arns[f.name] for f in by_trigger(Trigger.WORKFLOW)}}


def substitute(definition: str, values: dict[str, str]) -> str:
    """Fill the placeholders as CDK's definition_substitutions does; refuse to leave one unfilled."""
    missing = sorted(set(PLACEHOLDER.findall(definition)) - set(values))
    if missing:
        raise ValueError(f"unsubstituted placeholders in the state machine: {missing}")
    return PLACEHOLDER.sub(lambda m: values[m.group(1)], definition)

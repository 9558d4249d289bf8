"""The order lifecycle state machine, from the one ASL file, and who may do what to its executions."""

from __future__ import annotations

from aws_cdk import ArnFormat, RemovalPolicy, Stack
from aws_cdk import aws_dynamodb as dynamodb
from aws_cdk import aws_iam as iam
from aws_cdk import aws_lambda as lambda_
from aws_cdk import aws_logs as logs
from aws_cdk import aws_stepfunctions as sfn
from constructs import Construct

from deploy.catalog import FUNCTIONS, Trigger, WorkflowAccess, by_trigger
from statemachines import ORDER_LIFECYCLE_ASL, placeholder_values

# Each kind of access, as IAM actions and whether they apply to the state machine or to its executions.
WORKFLOW_ACTIONS: dict[WorkflowAccess, tuple[tuple[str, ...], str]] = {
    WorkflowAccess.START: (("states:StartExecution",), "stateMachine"),
    WorkflowAccess.RESUME: (("states:SendTaskSuccess", "states:SendTaskFailure", "states:SendTaskHeartbeat"), "stateMachine"),
    WorkflowAccess.STOP: (("states:StopExecution",), "execution"),
    WorkflowAccess.READ_HISTORY: (("states:DescribeExecution", "states:GetExecutionHistory"), "execution"),
    WorkflowAccess.READ_EVENTS: (("states:GetExecutionHistory",), "execution"),
}


# The state machine's log: errors only by default (the execution history, read through the history API, already
# holds every step); `-c workflow_log_level=ALL` for a deployment whose operators want every state in the logs.
DEFAULT_WORKFLOW_LOG_LEVEL = sfn.LogLevel.ERROR
WORKFLOW_LOG_LEVELS = {level.value: level for level in sfn.LogLevel}


class OrderWorkflow(Construct):
    def __init__(
        self,
        scope: Construct,
        construct_id: str,
        *,
        table: dynamodb.ITable,
        functions: dict[str, lambda_.Function],
    ) -> None:
        super().__init__(scope, construct_id)
        stack = Stack.of(self)
        # A fixed name gives the ARN without a reference to the state machine: the functions it invokes
        # may then be granted access to it without a dependency cycle.
        self.state_machine_name = f"{stack.stack_name}-order-lifecycle"
        self.state_machine_arn = stack.format_arn(
            service="states",
            resource="stateMachine",
            resource_name=self.state_machine_name,
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        executions_arn = stack.format_arn(
            service="states",
            resource="execution",
            resource_name=f"{self.state_machine_name}:*",
            arn_format=ArnFormat.COLON_RESOURCE_NAME,
        )
        log_level_name = str(self.node.try_get_context("workflow_log_level") or DEFAULT_WORKFLOW_LOG_LEVEL.value).upper()
        if log_level_name not in WORKFLOW_LOG_LEVELS:
            raise ValueError(f"context workflow_log_level={log_level_name!r}: one of {sorted(WORKFLOW_LOG_LEVELS)}")
        workflow_functions = {f.name: functions[f.name] for f in by_trigger(Trigger.WORKFLOW)}
        self.log_group = logs.LogGroup(self, "Logs", retention=logs.RetentionDays.ONE_YEAR, removal_policy=RemovalPolicy.RETAIN)
        self.state_machine = sfn.StateMachine(
            self,
            "OrderLifecycle",
            state_machine_name=self.state_machine_name,
            state_machine_type=sfn.StateMachineType.STANDARD,
            definition_body=sfn.DefinitionBody.from_file(str(ORDER_LIFECYCLE_ASL)),
            definition_substitutions=placeholder_values(
                table_name=table.table_name,
                function_arns={name: fn.function_arn for name, fn in workflow_functions.items()},
            ),
            tracing_enabled=True,
            # Execution data would put task tokens and residents' details in the logs; the history API
            # (supervisors only, tokens redacted) is where an order's steps are read.
            logs=sfn.LogOptions(
                destination=self.log_group, level=WORKFLOW_LOG_LEVELS[log_level_name], include_execution_data=False
            ),
        )
        for fn in workflow_functions.values():
            fn.grant_invoke(self.state_machine)
        # The status writes are direct DynamoDB integrations: UpdateItem on the table, and GetItem to read the
        # status again when a timeout's write loses its condition (ReadOrderStatus); nothing else.
        self.state_machine.add_to_role_policy(
            iam.PolicyStatement(actions=["dynamodb:GetItem", "dynamodb:UpdateItem"], resources=[table.table_arn])
        )

        for spec in FUNCTIONS:
            if not spec.workflow:
                continue
            fn = functions[spec.name]
            fn.add_environment("LINLI_STATE_MACHINE_ARN", self.state_machine_arn)
            for access in spec.workflow:
                actions, target = WORKFLOW_ACTIONS[access]
                resource = self.state_machine_arn if target == "stateMachine" else executions_arn
                fn.add_to_role_policy(iam.PolicyStatement(actions=list(actions), resources=[resource]))

"""One place for the logger, tracer and metrics every handler uses."""

from aws_lambda_powertools import Logger, Metrics, Tracer

logger = Logger(service="linli")
tracer = Tracer(service="linli")
metrics = Metrics(namespace="Linli", service="linli")

"""AWS prices the cost benchmark uses: the ONE place they live.

Region: us-east-1 (N. Virginia), public on-demand list prices in USD, without free tiers, as published on
the AWS pricing pages below; recorded 2026-11-25. The pilot would run in cn-north-1 (Beijing, priced in
CNY by Sinnet), whose list prices differ; change the numbers here and rerun `make bench` to price it there.

Sources:
- Step Functions: https://aws.amazon.com/step-functions/pricing/ (Standard: $0.025 per 1,000 state transitions)
- Lambda: https://aws.amazon.com/lambda/pricing/ (Arm: $0.0000133334 per GB-second, $0.20 per 1M requests)
- DynamoDB: https://aws.amazon.com/dynamodb/pricing/on-demand/ (since 2024-11-01: $0.625 per 1M write request
  units, $0.125 per 1M read request units; DynamoDB Streams reads by Lambda triggers are free)
- API Gateway: https://aws.amazon.com/api-gateway/pricing/ (HTTP API: $1.00 per 1M requests, first 300M)
- EventBridge: https://aws.amazon.com/eventbridge/pricing/ (custom events: $1.00 per 1M, per 64 KB chunk)
- SQS: https://aws.amazon.com/sqs/pricing/ (standard queues: $0.40 per 1M requests, per 64 KB chunk)
- X-Ray: https://aws.amazon.com/xray/pricing/ ($5.00 per 1M traces recorded; retrieving and scanning them,
  $0.50 per 1M, depends on who looks at them and is not priced here)
- S3: https://aws.amazon.com/s3/pricing/ (S3 Standard requests: PUT, COPY, POST and LIST $0.005 per 1,000; GET and
  every other request $0.0004 per 1,000; storage, $0.023 per GB-month, is not priced here; the history bucket
  has an S3 Bucket Key, so its objects make no KMS call each)
- CloudWatch Logs: https://aws.amazon.com/cloudwatch/pricing/ (Standard log class, data ingested: $0.50 per GB;
  Lambda's logs since 2025-05-01 and Step Functions' vended logs are tiered, $0.50 per GB for the first 10 TB
  a month, the tier a pilot stays in; storage, $0.03 per GB-month, is not priced here)
The official pages cannot be reached from the build machine; the DynamoDB and Lambda figures were
cross-checked on 2026-11-25 against secondary write-ups of them (airbyte.com's DynamoDB pricing guide, after
the 2024-11-01 cut; cloudchipr.com's Lambda pricing guide, Arm first tier); X-Ray and CloudWatch Logs on
2026-12-07 against a stored copy of the X-Ray pricing page (aws.amazon.com/de/xray/pricing) and write-ups of
the Logs pricing (hykell.com, duckbillgroup.com on the 2025-05-01 Lambda log tiers); S3 on 2026-12-07 against
cloudkaramchari.com's write-up of its request prices. Check the rest before quoting.
SMS (SNS) is counted but not priced: its price depends on the destination country and carrier.
"""

from __future__ import annotations

PRICES_DATE = "2026-11-25"
PRICES_REGION = "us-east-1"

USD_PER_STATE_TRANSITION = 0.025 / 1_000
USD_PER_LAMBDA_REQUEST = 0.20 / 1_000_000
USD_PER_LAMBDA_GB_SECOND_ARM = 0.0000133334
USD_PER_WRITE_REQUEST_UNIT = 0.625 / 1_000_000
USD_PER_READ_REQUEST_UNIT = 0.125 / 1_000_000
USD_PER_HTTP_API_REQUEST = 1.00 / 1_000_000
USD_PER_EVENTBRIDGE_EVENT = 1.00 / 1_000_000
USD_PER_SQS_REQUEST = 0.40 / 1_000_000
USD_PER_XRAY_TRACE_RECORDED = 5.00 / 1_000_000
USD_PER_LOG_GB_INGESTED = 0.50
USD_PER_S3_WRITE_REQUEST = 0.005 / 1_000  # PUT, COPY, POST, LIST
USD_PER_S3_READ_REQUEST = 0.0004 / 1_000  # GET and every other request

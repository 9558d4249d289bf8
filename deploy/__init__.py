"""Deploy-time lists: which functions exist and what each may touch (`catalog`), which routes exist and which
function serves each (`routes`), and the assembled OpenAPI document (`openapi`).

Read by CDK (infra/), the sandbox (local/), the soak, the benchmarks and the tests; never by the Lambda code,
which does not ship with it (tests/contract/test_deploy_lists.py). What the running code needs of these facts
(the /partner prefix and operations, the CSV route, where the API document is read from) is defined by the
runtime code that uses it, and derived or checked here.
"""

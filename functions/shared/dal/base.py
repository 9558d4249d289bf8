"""What every store shares: binding the models lazily, transactions (and the changes of several domains' items
that one transaction carries), condition errors."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from botocore.exceptions import ClientError, HTTPClientError
from botocore.exceptions import ConnectionError as BotocoreConnectionError
from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, PutError, PynamoDBException, QueryError, TransactWriteError, UpdateError
from pynamodb.transactions import TransactWrite

from shared.dal import tables
from shared.settings import get_settings


@lru_cache(maxsize=1)
def ensure_bound() -> None:
    settings = get_settings()
    tables.bind(settings.table_name, settings.aws_region)


def connection() -> Connection:
    ensure_bound()
    return _connection_for(get_settings().aws_region)


@lru_cache(maxsize=4)
def _connection_for(region: str) -> Connection:
    # One per process, as the models' own: a new PynamoDB Connection builds a new botocore session and client,
    # reloading the service's JSON models (tens of milliseconds of CPU for every transaction). botocore clients
    # are thread-safe; the Connection keeps a session per thread only to create the client.
    return Connection(region=region)


@contextmanager
def transaction() -> Iterator[TransactWrite]:
    with TransactWrite(connection=connection()) as tx:
        yield tx


@dataclass(frozen=True)
class Change:
    """One item's write inside a transaction, built by the store that owns the item: an update (`actions`) of the
    item's key, or a put of the whole item (`actions` None), only if `condition` holds. A use case that changes items
    of two domains at once (an offer accepted and its order assigned) gathers each domain's changes and commits them
    together."""

    item: Any  # a TableItem: its key (an update) or the whole item (a put)
    actions: list | None = None
    condition: Any = None

    def write_in(self, tx: TransactWrite) -> None:
        if self.actions is None:
            tx.save(self.item, condition=self.condition)
        else:
            tx.update(self.item, actions=self.actions, condition=self.condition)


def commit(changes: list[Change]) -> None:
    """All of `changes` or none (TransactWriteError when a condition fails: `condition_failed` tells)."""
    with transaction() as tx:
        for change in changes:
            change.write_in(tx)


def get_record(model, record, pk: str, sk: str):
    """One item as its record (`record`: the pydantic class whose fields the item holds), or None."""
    ensure_bound()
    try:
        item = model.get(pk, sk)
    except model.DoesNotExist:
        return None
    return record(**{k: getattr(item, k) for k in record.model_fields})


def query_page(source, hash_key: str, range_key_condition=None, *, after: dict[str, str] | None, limit: int, **query):
    """One page of a Query of `source` (a model or an index): up to `limit` items after the key `after` (a cursor's,
    shared.paging), and the key to continue after (None when nothing is left). A key outside the queried partition
    is refused (InvalidCursor), so a cursor never reads another partition."""
    from shared.paging import InvalidCursor

    if after is not None and after.get(source._hash_key_attribute().attr_name) != hash_key:
        raise InvalidCursor()
    start = {name: {"S": value} for name, value in after.items()} if after else None
    # One item more than the page says whether a next page exists; the key of the page's last item resumes it.
    found = source.query(hash_key, range_key_condition, limit=limit + 1, last_evaluated_key=start, **query)
    items, resume = [], None
    try:
        for item in found:
            if len(items) == limit:
                return items, resume
            items.append(item)
            if len(items) == limit:
                resume = {name: next(iter(typed.values())) for name, typed in (found.last_evaluated_key or {}).items()}
    except QueryError as error:
        if after is not None and error.cause_response_code == "ValidationException":  # a start key DynamoDB refuses
            raise InvalidCursor() from None
        raise
    return items, None


def condition_failed(exc: Exception) -> bool:
    """True when a write failed because its condition did not hold (a lost race, not an outage)."""
    if isinstance(exc, TransactWriteError):
        reasons = getattr(exc, "cancellation_reasons", None) or []
        return any(r is not None and r.code == "ConditionalCheckFailed" for r in reasons) or (
            exc.cause_response_code == "TransactionCanceledException" and not reasons
        )
    if isinstance(exc, UpdateError | PutError | DeleteError):
        return exc.cause_response_code == "ConditionalCheckFailedException"
    return False


# Answers worth trying again later (the SDK already retried them a few times): throttling and server errors.
TRANSIENT_CODES = frozenset(
    {
        "ProvisionedThroughputExceededException",
        "ThrottlingException",
        "RequestLimitExceeded",
        "InternalServerError",
        "ServiceUnavailable",
        "TransactionConflictException",
        "TransactionInProgressException",
    }
)
# A cancelled transaction's per-item reasons that mean the same.
_TRANSIENT_REASONS = frozenset(
    {"ThrottlingError", "ProvisionedThroughputExceeded", "RequestLimitExceeded", "TransactionConflict"}
)


def is_transient(exc: BaseException) -> bool:
    """True for an AWS call that failed for a while (throttled, a server error, a timeout or a lost
    connection) after the SDK's own retries; False for a lost condition, a bad request or a bug."""
    if isinstance(exc, PynamoDBException):
        reasons = getattr(exc, "cancellation_reasons", None) or []
        if any(r is not None and r.code in _TRANSIENT_REASONS for r in reasons):
            return True
        return exc.cause is not None and is_transient(exc.cause)
    if isinstance(exc, ClientError):
        return exc.response.get("Error", {}).get("Code") in TRANSIENT_CODES
    return isinstance(exc, HTTPClientError | BotocoreConnectionError)

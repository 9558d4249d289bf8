from datetime import UTC, date, datetime, timedelta, timezone

# The platform's civil time: days (statistics, certificates' last valid day) are Beijing days.
BEIJING = timezone(timedelta(hours=8))


def now() -> datetime:
    return datetime.now(UTC)


def iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def now_iso() -> str:
    return iso(now())


def parse(instant: str) -> datetime:
    """An ISO instant as written by `iso` (a trailing Z) or with an offset."""
    return datetime.fromisoformat(instant.replace("Z", "+00:00"))


def beijing_day(instant: str) -> str:
    """The Beijing date (YYYY-MM-DD) of an ISO instant such as an order's created_at."""
    return datetime.fromisoformat(instant.replace("Z", "+00:00")).astimezone(BEIJING).date().isoformat()


def beijing_today() -> date:
    return now().astimezone(BEIJING).date()

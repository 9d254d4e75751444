"""Log formatting, imported by the LOGGING setting before Django's apps are loaded: nothing
here may import a model."""

import json
import logging
from datetime import UTC, datetime


class JsonLineFormatter(logging.Formatter):
    """`{"time": ..., "level": ..., "logger": ..., "event": ..., ...}` on one line."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "time": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
        }
        payload.update(getattr(record, "security", None) or {"message": record.getMessage()})
        return json.dumps(payload, ensure_ascii=False, default=str, sort_keys=False)

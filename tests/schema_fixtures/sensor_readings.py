"""The pydantic twin of schemas/sensor_readings.yaml: loading this module must give the same table."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any, Literal, Optional

from pydantic import BaseModel, Field


class SensorReading(BaseModel):
    """One reading of one sensor (append-only)."""

    __table__ = {"name": "sensor_readings", "append_only": True}

    id: uuid.UUID = Field(description="Reading id",
                          json_schema_extra={"primary_key": True, "default": "gen_random_uuid()"})
    sensor_id: str = Field(max_length=32, description="Sensor serial number", json_schema_extra={"indexed": True})
    read_at: dt.datetime = Field(description="Measurement time", json_schema_extra={"indexed": True})
    kind: Literal["temperature", "humidity", "pressure"]
    value: float = Field(description="Measured value in the kind's SI unit")
    quality: int = Field(100, description="Quality score 0-100",
                         json_schema_extra={"pg_type": "smallint", "check": "quality BETWEEN 0 AND 100"})
    attributes: Optional[dict[str, Any]] = Field(None, description="Raw device attributes")

"""Appraisal service settings, and the name it signs its events with."""
from decimal import Decimal

from pydantic import field_validator

from services.appraisal.rules import BOTTOM_MIN_HEADCOUNT, BOTTOM_SHARE, BOTTOM_SHARE_RANGE, NOT_APPRAISED_ROLES, valid_bottom_share
from shared.settings import ServiceSettings

SOURCE = "appraisal-service"   # the envelope `source` of every event this service publishes


class Settings(ServiceSettings):
    service_name: str = "appraisal"
    database_url: str = "sqlite+aiosqlite:///var/appraisal.db"
    bottom_share: Decimal = BOTTOM_SHARE                  # 末尾淘汰 share of a unit, within the bank's 3–5 %
    bottom_min_headcount: int = BOTTOM_MIN_HEADCOUNT      # smaller units get no proposals
    not_appraised_roles: tuple[str, ...] = NOT_APPRAISED_ROLES   # staff holding only these get no scorecard

    @field_validator("bottom_share")
    @classmethod
    def _within_band(cls, share: Decimal) -> Decimal:
        if not valid_bottom_share(share):
            raise ValueError(f"bottom_share must be within {BOTTOM_SHARE_RANGE[0]}–{BOTTOM_SHARE_RANGE[1]}")
        return share

"""Each commune centre's own settings, edited on the web by its administrator."""

from __future__ import annotations

from datetime import datetime

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column

from models.base import DateTime
from models.base import Model
from models.base import utcnow


class Centre(Model):
    """A unit's Trung tâm Phục vụ hành chính công: what people see and what paper prints.

    A unit without a row is a centre too, shown with what the unit list says about it; an
    empty value means "not given" (or, for the public address, the portal's own).
    """

    __tablename__ = "centres"

    unit_code: Mapped[int] = mapped_column(
        sa.ForeignKey("units.code"), primary_key=True, autoincrement=False
    )
    name: Mapped[str] = mapped_column(sa.String(150), default="")
    address: Mapped[str] = mapped_column(sa.String(200), default="")
    phone: Mapped[str] = mapped_column(sa.String(30), default="")
    # As MOTCUA_CENTRE_HOURS spells it: "07:30-11:30,13:30-17:00".
    hours: Mapped[str] = mapped_column(sa.String(100), default="")
    public_url: Mapped[str] = mapped_column(sa.String(200), default="")
    updated_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow, onupdate=utcnow)

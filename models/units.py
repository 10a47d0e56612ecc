"""Administrative units: the two-level local government since 1 July 2025."""

from __future__ import annotations

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from models.base import Model


class Province(Model):
    __tablename__ = "provinces"

    code: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(sa.String(80))
    codename: Mapped[str] = mapped_column(sa.String(80))
    division_type: Mapped[str] = mapped_column(sa.String(40))

    units: Mapped[list[Unit]] = relationship(back_populates="province", order_by="Unit.name")


class Unit(Model):
    """A commune-level unit: xã, phường or đặc khu."""

    __tablename__ = "units"

    code: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    name: Mapped[str] = mapped_column(sa.String(80))
    codename: Mapped[str] = mapped_column(sa.String(80))
    division_type: Mapped[str] = mapped_column(sa.String(40))
    province_code: Mapped[int] = mapped_column(sa.ForeignKey("provinces.code"), index=True)

    province: Mapped[Province] = relationship(back_populates="units")

    @property
    def padded_code(self) -> str:
        """The official five-digit unit code, as printed in dossier codes."""
        return f"{self.code:05d}"

"""The procedure catalogue as published, plus the project's plain guides."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship

from models.base import DateTime
from models.base import Model
from models.base import utcnow


class Field(Model):
    """A field of administration (lĩnh vực), e.g. Hộ tịch."""

    __tablename__ = "fields"

    id: Mapped[int] = mapped_column(primary_key=True)
    name: Mapped[str] = mapped_column(sa.String(200), unique=True)
    slug: Mapped[str] = mapped_column(sa.String(200), unique=True)
    code: Mapped[str | None] = mapped_column(sa.String(40))

    procedures: Mapped[list[Procedure]] = relationship(back_populates="field")


class Procedure(Model):
    """An administrative procedure (thủ tục hành chính) as published, plus our plain guide."""

    __tablename__ = "procedures"

    code: Mapped[str] = mapped_column(sa.String(20), primary_key=True)
    name: Mapped[str] = mapped_column(sa.Text)
    # Our English name for the most used procedures (data/procedures/names_en.json); pages in
    # English show it, falling back to the official Vietnamese name.
    name_en: Mapped[str | None] = mapped_column(sa.Text)
    field_id: Mapped[int | None] = mapped_column(sa.ForeignKey("fields.id"), index=True)
    agency: Mapped[str] = mapped_column(sa.Text, default="")
    # True for the procedures a commune centre handles; the rest of the national catalogue
    # can be loaded for reference and search.
    is_local: Mapped[bool] = mapped_column(default=False, index=True)
    has_detail: Mapped[bool] = mapped_column(default=False)
    is_full_online: Mapped[bool] = mapped_column(default=False, index=True)
    kind: Mapped[str] = mapped_column(sa.String(20), default="STANDARD")
    # Accepted by any centre regardless of the administrative boundary (isNonTerritorial).
    is_non_territorial: Mapped[bool] = mapped_column(default=False)
    # Lower is more used; procedures without a rank come after the ranked ones.
    popularity: Mapped[int | None] = mapped_column(index=True)
    # What the centre's administrator decides (loaders never touch these): whether a commune
    # procedure is listed on this portal, and whether its online form takes dossiers now
    # (closed, say, while the form is brought in line with a new decree).
    published: Mapped[bool] = mapped_column(default=True)
    online_open: Mapped[bool] = mapped_column(default=True)

    # The official text, kept as published (display only).
    subjects: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    results: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    legal_basis: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    steps_text: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    requirements: Mapped[str] = mapped_column(sa.Text, default="")
    decision: Mapped[str] = mapped_column(sa.String(80), default="")
    source_url: Mapped[str] = mapped_column(sa.String(300), default="")
    source_updated_at: Mapped[datetime | None] = mapped_column(DateTime())

    # The plain-language overlay written by the project, per language: {"vi": {...}, "en": {...}}.
    guide: Mapped[dict[str, Any] | None] = mapped_column(sa.JSON)
    keywords: Mapped[list[str]] = mapped_column(sa.JSON, default=list)

    updated_at: Mapped[datetime] = mapped_column(
        DateTime(), default=utcnow, onupdate=utcnow, index=True
    )

    field: Mapped[Field | None] = relationship(back_populates="procedures")
    channels: Mapped[list[ProcedureChannel]] = relationship(
        back_populates="procedure",
        cascade="all, delete-orphan",
        order_by="ProcedureChannel.position",
    )
    cases: Mapped[list[ProcedureCase]] = relationship(
        back_populates="procedure", cascade="all, delete-orphan", order_by="ProcedureCase.code"
    )
    documents: Mapped[list[ProcedureDocument]] = relationship(
        back_populates="procedure",
        cascade="all, delete-orphan",
        order_by="ProcedureDocument.position",
    )
    # The time limits an administrator set where the published record gives none.
    set_limits: Mapped[list[ProcedureLimit]] = relationship(
        back_populates="procedure", cascade="all, delete-orphan", order_by="ProcedureLimit.id"
    )

    def name_in(self, locale: str) -> str:
        """The name to show in the given language: English where we wrote one, else official."""
        if locale == "en" and self.name_en:
            return self.name_en
        return self.name

    def guide_in(self, locale: str) -> dict[str, Any] | None:
        """The plain guide in the given language, falling back to Vietnamese."""
        if not self.guide:
            return None
        return self.guide.get(locale) or self.guide.get("vi")


class ProcedureChannel(Model):
    """How a procedure may be submitted (trực tiếp, trực tuyến, bưu chính), with time and fees."""

    __tablename__ = "procedure_channels"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_code: Mapped[str] = mapped_column(sa.ForeignKey("procedures.code"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    channel: Mapped[str] = mapped_column(sa.String(10))  # DIRECT, ONLINE, POSTAL
    time_qty: Mapped[float | None] = mapped_column(sa.Float)
    time_unit: Mapped[str] = mapped_column(sa.String(20), default="")
    description: Mapped[str] = mapped_column(sa.Text, default="")
    # [{"type": "FEE", "value_vnd": 8000, "description": "..."}]
    fees: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)

    procedure: Mapped[Procedure] = relationship(back_populates="channels")


class ProcedureCase(Model):
    """A case of a procedure (code.NN) with its own processing time; authoritative for time."""

    __tablename__ = "procedure_cases"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_code: Mapped[str] = mapped_column(sa.ForeignKey("procedures.code"), index=True)
    code: Mapped[str] = mapped_column(sa.String(30))
    name: Mapped[str] = mapped_column(sa.Text, default="")
    time_qty: Mapped[float | None] = mapped_column(sa.Float)
    time_unit: Mapped[str] = mapped_column(sa.String(20), default="")

    procedure: Mapped[Procedure] = relationship(back_populates="cases")


class ProcedureDocument(Model):
    """A paper in a procedure's official document list: to submit, to present, or a note."""

    __tablename__ = "procedure_documents"

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_code: Mapped[str] = mapped_column(sa.ForeignKey("procedures.code"), index=True)
    position: Mapped[int] = mapped_column(default=0)
    group: Mapped[str] = mapped_column(sa.String(10))  # submit, present, note
    name: Mapped[str] = mapped_column(sa.Text)
    originals: Mapped[int] = mapped_column(default=0)
    copies: Mapped[int] = mapped_column(default=0)
    component_code: Mapped[str] = mapped_column(sa.String(60), default="")
    has_electronic_form: Mapped[bool] = mapped_column(default=False)

    procedure: Mapped[Procedure] = relationship(back_populates="documents")


class ProcedureLimit(Model):
    """A time limit an administrator set for a channel (and case) the published record leaves
    without one. Loaders never touch these; a limit in the published record always wins."""

    __tablename__ = "procedure_limits"
    __table_args__ = (sa.UniqueConstraint("procedure_code", "channel", "case_code"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    procedure_code: Mapped[str] = mapped_column(sa.ForeignKey("procedures.code"))
    channel: Mapped[str] = mapped_column(sa.String(10))  # DIRECT, ONLINE, POSTAL
    # The case's code (code.NN), or "" for the procedure as a whole.
    case_code: Mapped[str] = mapped_column(sa.String(30), default="")
    time_qty: Mapped[int]
    time_unit: Mapped[str] = mapped_column(sa.String(20))  # one of domain.procedures.TIME_UNITS
    set_by: Mapped[str] = mapped_column(sa.String(60))
    set_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)

    procedure: Mapped[Procedure] = relationship(back_populates="set_limits")

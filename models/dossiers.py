"""Online drafts, submitted dossiers, their files and their append-only events."""

from __future__ import annotations

from datetime import date
from datetime import datetime
from typing import TYPE_CHECKING
from typing import Any

import sqlalchemy as sa
from sqlalchemy.orm import Mapped
from sqlalchemy.orm import mapped_column
from sqlalchemy.orm import relationship
from sqlalchemy.orm import synonym

from domain.channels import Channel
from domain.workflow import StatusQuestions
from models.base import DateTime
from models.base import Model
from models.base import append_only
from models.base import utcnow

if TYPE_CHECKING:
    from models.catalog import Procedure
    from models.units import Unit


class Draft(Model):
    """An application being filled in online; saved at every step, resumable with a code."""

    __tablename__ = "drafts"

    id: Mapped[str] = mapped_column(sa.String(32), primary_key=True)  # random, in the URL
    resume_code: Mapped[str] = mapped_column(sa.String(12), unique=True)
    phone: Mapped[str] = mapped_column(sa.String(15))  # second factor for resuming
    procedure_code: Mapped[str] = mapped_column(sa.ForeignKey("procedures.code"), index=True)
    # The centre it will be submitted to: the one chosen, or for a procedure bound to the
    # territory, the one of the address that decides competence (services.drafts).
    unit_code: Mapped[int] = mapped_column()
    form_version: Mapped[int] = mapped_column(default=1)
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # What was typed in the last step that did not pass its checks, to show it again.
    typed: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    done_steps: Mapped[list[str]] = mapped_column(sa.JSON, default=list)
    current_step: Mapped[str] = mapped_column(sa.String(40), default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow, onupdate=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(), index=True)

    procedure: Mapped[Procedure] = relationship()
    # No delete cascade: files that went with a submitted dossier outlive the draft.
    files: Mapped[list[StoredFile]] = relationship(back_populates="draft", order_by="StoredFile.id")
    dossier: Mapped[Dossier | None] = relationship(
        primaryjoin="foreign(Dossier.draft_id) == Draft.id", viewonly=True, uselist=False
    )


class StoredFile(Model):
    """An uploaded file, checked and cleaned, kept outside static/ under a random name."""

    __tablename__ = "stored_files"

    id: Mapped[int] = mapped_column(primary_key=True)
    draft_id: Mapped[str | None] = mapped_column(
        sa.ForeignKey("drafts.id", ondelete="SET NULL"), index=True
    )
    dossier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dossiers.id"), index=True)
    slot: Mapped[str] = mapped_column(sa.String(60))  # the form's upload field
    stored_name: Mapped[str] = mapped_column(sa.String(80), unique=True)
    original_name: Mapped[str] = mapped_column(sa.String(200), default="")
    mimetype: Mapped[str] = mapped_column(sa.String(40))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(sa.String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)

    draft: Mapped[Draft | None] = relationship(back_populates="files")
    dossier: Mapped[Dossier | None] = relationship(back_populates="files")


class DossierSequence(Model):
    """The last dossier number given per unit and day; bumped atomically."""

    __tablename__ = "dossier_sequences"

    unit_code: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    day: Mapped[date] = mapped_column(sa.Date, primary_key=True)
    last: Mapped[int] = mapped_column(default=0)


def _receiving_unit(context: Any) -> int:
    """A new dossier is received where it is first held."""
    return int(context.get_current_parameters()["unit_code"])


class Dossier(StatusQuestions, Model):
    """A submitted dossier (hồ sơ). Status codes are the national sync codes 1–10."""

    __tablename__ = "dossiers"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(sa.String(20), unique=True)
    # The draft it came from. Unique: a send replayed or doubled cannot make a second dossier.
    # Not a foreign key, so that purging old drafts never touches dossiers.
    draft_id: Mapped[str | None] = mapped_column(sa.String(32), unique=True)
    # The unit that decides it, whose inbox holds it: the receiving one until a transfer.
    # Every inbox index leads with it, so it keeps its name; deciding_unit_code says what it is.
    unit_code: Mapped[int] = mapped_column(sa.ForeignKey("units.code"), index=True)
    # The unit whose centre received it (its code starts the dossier code); never changes.
    # Nullable only for the migration (0016); every row has one.
    received_unit_code: Mapped[int] = mapped_column(
        sa.ForeignKey("units.code"), nullable=True, default=_receiving_unit
    )
    procedure_code: Mapped[str] = mapped_column(sa.ForeignKey("procedures.code"), index=True)
    status: Mapped[int] = mapped_column(default=1, index=True)
    channel: Mapped[int] = mapped_column(default=Channel.ONLINE)  # a domain.channels.Channel
    applicant_name: Mapped[str] = mapped_column(sa.String(100), default="")
    # Without accents, lower case: staff search by name typed any way.
    applicant_name_folded: Mapped[str] = mapped_column(sa.String(100), default="")
    applicant_id_number: Mapped[str] = mapped_column(sa.String(12), default="")
    applicant_phone: Mapped[str] = mapped_column(sa.String(15), default="", index=True)
    applicant_email: Mapped[str] = mapped_column(sa.String(254), default="")
    answers: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    form_version: Mapped[int] = mapped_column(default=1)
    helper_name: Mapped[str] = mapped_column(sa.String(100), default="")
    helper_phone: Mapped[str] = mapped_column(sa.String(15), default="")
    helper_consent_at: Mapped[datetime | None] = mapped_column(DateTime())
    # Set when a signed-in community helper submitted it: they see only their own.
    helper_user_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"), index=True)
    submitted_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
    expected_due: Mapped[date | None] = mapped_column(sa.Date)
    # The clock: set at reception, pushed by supplement pauses, replaced once by an apology.
    received_at: Mapped[datetime | None] = mapped_column(DateTime())
    due_date: Mapped[date | None] = mapped_column(sa.Date)
    original_due_date: Mapped[date | None] = mapped_column(sa.Date)
    paused_on: Mapped[date | None] = mapped_column(sa.Date)
    # What a supplement request asks for: [{"key", "label", "kind"}], why, and by when.
    supplement_items: Mapped[list[dict[str, Any]]] = mapped_column(sa.JSON, default=list)
    supplement_reason: Mapped[str] = mapped_column(sa.Text, default="")
    supplement_deadline: Mapped[date | None] = mapped_column(sa.Date)
    finished_at: Mapped[datetime | None] = mapped_column(DateTime())
    returned_at: Mapped[datetime | None] = mapped_column(DateTime())
    result_channel: Mapped[str] = mapped_column(sa.String(20), default="")
    version: Mapped[int] = mapped_column(default=1)  # optimistic lock for staff actions

    procedure: Mapped[Procedure] = relationship()
    # The commune that handles it: its name and province head the slips, whatever the
    # deployment's own unit is (staff of several communes may share one portal).
    unit: Mapped[Unit] = relationship(foreign_keys=[unit_code])
    received_unit: Mapped[Unit] = relationship(foreign_keys=[received_unit_code])
    deciding_unit_code = synonym("unit_code")
    files: Mapped[list[StoredFile]] = relationship(
        back_populates="dossier", order_by="StoredFile.id"
    )
    events: Mapped[list[DossierEvent]] = relationship(
        back_populates="dossier", order_by="DossierEvent.id"
    )

    __mapper_args__ = {"version_id_col": version}
    __table_args__ = (
        # The inbox reads by unit, then status or due date; these keep 100,000 rows fast.
        sa.Index("ix_dossiers_unit_status_due", "unit_code", "status", "due_date"),
        sa.Index("ix_dossiers_unit_due", "unit_code", "due_date"),
        sa.Index("ix_dossiers_unit_submitted", "unit_code", "submitted_at"),
        # The figures of a period, of one unit or of the province (services.figures), read
        # from these alone on PostgreSQL (migration 0020): no table page for a month.
        sa.Index(
            "ix_dossiers_unit_received",
            "unit_code",
            "received_at",
            postgresql_include=["channel"],
        ),
        sa.Index(
            "ix_dossiers_unit_finished",
            "unit_code",
            "finished_at",
            postgresql_include=["due_date", "original_due_date"],
        ),
        # The ratings of a period by their dossiers' units.
        sa.Index("ix_dossiers_id_unit", "id", "unit_code"),
        # A search by name reads a unit's names here, not its rows across the whole table.
        sa.Index("ix_dossiers_unit_name", "unit_code", "applicant_name_folded", "id"),
        # Filters staff use every day; the counts of every tab stay on the index.
        sa.Index(
            "ix_dossiers_unit_channel_status_due", "unit_code", "channel", "status", "due_date"
        ),
        sa.Index(
            "ix_dossiers_unit_procedure_status_due",
            "unit_code",
            "procedure_code",
            "status",
            "due_date",
        ),
    )


@append_only
class DossierEvent(Model):
    """One thing that happened to a dossier. Append-only: never changed, never deleted."""

    __tablename__ = "dossier_events"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossiers.id"), index=True)
    at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
    action: Mapped[str] = mapped_column(sa.String(30))
    from_status: Mapped[int | None] = mapped_column()
    to_status: Mapped[int] = mapped_column()
    actor_name: Mapped[str] = mapped_column(sa.String(100), default="")
    actor_role: Mapped[str] = mapped_column(sa.String(30), default="")
    actor_id: Mapped[int | None] = mapped_column(sa.ForeignKey("staff_users.id"))
    reason: Mapped[str] = mapped_column(sa.Text, default="")
    # Details of the action: items asked for, deadline, new date, result channel.
    details: Mapped[dict[str, Any]] = mapped_column(sa.JSON, default=dict)
    # Public events show on the status page; internal notes never leave the back office.
    public: Mapped[bool] = mapped_column(default=True)

    dossier: Mapped[Dossier] = relationship(back_populates="events")


@append_only
class DossierTransfer(Model):
    """A hand-over between units, beside its event (the record): which unit sent it where.

    The event keeps the same in its details; this row lets an inbox find what a unit sent
    away through an index, where the details are JSON.
    """

    __tablename__ = "dossier_transfers"

    id: Mapped[int] = mapped_column(primary_key=True)
    event_id: Mapped[int] = mapped_column(sa.ForeignKey("dossier_events.id"), unique=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossiers.id"), index=True)
    from_unit: Mapped[int] = mapped_column(sa.ForeignKey("units.code"))
    to_unit: Mapped[int] = mapped_column(sa.ForeignKey("units.code"))
    at: Mapped[datetime] = mapped_column(DateTime())

    event: Mapped[DossierEvent] = relationship()
    dossier: Mapped[Dossier] = relationship()

    __table_args__ = (
        # The sender's tab of dossiers it sent away: its transfers, by dossier.
        sa.Index("ix_dossier_transfers_from_unit", "from_unit", "dossier_id"),
    )


class DossierRating(Model):
    """How satisfied the person was, once per dossier, after the result was returned."""

    __tablename__ = "dossier_ratings"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int] = mapped_column(sa.ForeignKey("dossiers.id"), unique=True)
    value: Mapped[str] = mapped_column(sa.String(20))  # rat_hai_long, hai_long, khong_hai_long
    comment: Mapped[str] = mapped_column(sa.Text, default="")
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow, index=True)


class OutboxMessage(Model):
    """A message waiting to be sent (SMS, e-mail). Kept after sending; never lost on failure."""

    __tablename__ = "outbox_messages"

    id: Mapped[int] = mapped_column(primary_key=True)
    dossier_id: Mapped[int | None] = mapped_column(sa.ForeignKey("dossiers.id"), index=True)
    channel: Mapped[str] = mapped_column(sa.String(10))  # sms, email
    recipient: Mapped[str] = mapped_column(sa.String(254))
    subject: Mapped[str] = mapped_column(sa.String(200), default="")
    body: Mapped[str] = mapped_column(sa.Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow)
    attempts: Mapped[int] = mapped_column(default=0)
    next_attempt_at: Mapped[datetime] = mapped_column(DateTime(), default=utcnow, index=True)
    sent_at: Mapped[datetime | None] = mapped_column(DateTime(), index=True)
    last_error: Mapped[str] = mapped_column(sa.Text, default="")

"""Database models (SQLAlchemy 2, typed), one module per area; import them from here."""

from models.base import utcnow
from models.catalog import Field
from models.catalog import Procedure
from models.catalog import ProcedureCase
from models.catalog import ProcedureChannel
from models.catalog import ProcedureDocument
from models.catalog import ProcedureLimit
from models.centres import Centre
from models.changelog import LogEntry
from models.dossiers import Dossier
from models.dossiers import DossierEvent
from models.dossiers import DossierRating
from models.dossiers import DossierSequence
from models.dossiers import DossierTransfer
from models.dossiers import Draft
from models.dossiers import OutboxMessage
from models.dossiers import StoredFile
from models.staff import CalendarDay
from models.staff import LoginThrottle
from models.staff import RateLimitCounter
from models.staff import StaffSession
from models.staff import StaffUser
from models.units import Province
from models.units import Unit

__all__ = [
    "CalendarDay",
    "Centre",
    "LogEntry",
    "LoginThrottle",
    "OutboxMessage",
    "RateLimitCounter",
    "StaffSession",
    "StaffUser",
    "Dossier",
    "DossierEvent",
    "DossierRating",
    "DossierSequence",
    "DossierTransfer",
    "Draft",
    "Field",
    "Procedure",
    "ProcedureCase",
    "ProcedureChannel",
    "ProcedureDocument",
    "ProcedureLimit",
    "Province",
    "StoredFile",
    "Unit",
    "utcnow",
]

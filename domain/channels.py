"""How a dossier reaches the centre: one enum for the stored code, the catalogue's name and the URL.

The value is the national sync code stored on a dossier (1 trực tiếp, 2 trực tuyến, 3 bưu
chính); the name is the catalogue's (`DIRECT`, `ONLINE`, `POSTAL`, as the national portal
publishes a procedure's times and fees per channel); the slug is the inbox filter's in URLs.
"""

from __future__ import annotations

from enum import IntEnum

from domain.messages import N_


class Channel(IntEnum):
    """A submission channel, in the catalogue's order."""

    DIRECT = 1
    ONLINE = 2
    POSTAL = 3

    @property
    def slug(self) -> str:
        """The channel in a URL, without accents: truc-tiep, truc-tuyen, buu-chinh."""
        return _SLUGS[self]

    @property
    def label(self) -> str:
        """Its name for staff (a message id)."""
        return _LABELS[self]

    @classmethod
    def from_slug(cls, slug: str) -> Channel | None:
        """The channel a URL names, or None for anything else."""
        return next((channel for channel in cls if channel.slug == slug), None)

    @classmethod
    def from_name(cls, name: str) -> Channel | None:
        """The channel the catalogue names, or None for anything else."""
        return cls.__members__.get(name)


_SLUGS = {Channel.DIRECT: "truc-tiep", Channel.ONLINE: "truc-tuyen", Channel.POSTAL: "buu-chinh"}
_LABELS = {
    Channel.DIRECT: N_("Trực tiếp"),
    Channel.ONLINE: N_("Trực tuyến"),
    Channel.POSTAL: N_("Bưu chính"),
}
# The catalogue's names, in the order its tables list them.
CATALOG_ORDER = tuple(channel.name for channel in Channel)

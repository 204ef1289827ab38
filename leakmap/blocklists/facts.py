"""Value types of the knowledge base: what one source says, and what the matcher answers."""

from __future__ import annotations

from dataclasses import dataclass, field

# The state data broker registries an entry can cite: id -> (title, URL of one entry or of the list).
REGISTRIES: dict[str, tuple[str, str]] = {
    "ca": ("California data broker registry (CPPA)", "https://cppa.ca.gov/data_broker_registry/"),
    "vt": ("Vermont data broker registry (Secretary of State)",
           "https://bizfilings.vermont.gov/online/DatabrokerInquire/DataBrokerInformation?businessID={id}"),
}


@dataclass(frozen=True, slots=True)
class Registration:
    """One entry of a state data broker registry: which registry, the entry's id there, the name registered.

    ``ca`` ids are the entry's position (``order_original``) in the 2025 registry as published by
    CalMatters / The Markup; ``vt`` ids are the Vermont Secretary of State's ``businessID``.
    """

    registry: str
    id: str
    name: str

    @property
    def title(self) -> str:
        return REGISTRIES[self.registry][0]

    @property
    def url(self) -> str:
        return REGISTRIES[self.registry][1].format(id=self.id)

    def __str__(self) -> str:
        return f"{self.title} #{self.id}: {self.name}"


@dataclass(frozen=True, slots=True)
class Opinion:
    """What one source says about one domain (or host suffix): kept per source, never merged away."""

    source: str  # source id, e.g. "leakmap", "ddg", "ghostery"
    key: str  # the domain or host suffix the source listed
    entity: str | None = None
    parent: str | None = None
    categories: tuple[str, ...] = ()
    country: str | None = None  # ISO 3166-1 alpha-2 of the owner's headquarters
    broker: bool = False  # the domain collects for a data broker
    registrations: tuple[Registration, ...] = ()  # the owner's data broker registrations behind ``broker``
    reference: str | None = None  # where the fact comes from (policy URL, list entry)


@dataclass(slots=True)
class Classification:
    """The answer for one host: the top-precedence opinion plus every source that knows it.

    Read-only by contract: instances are memoised and shared. Not frozen because a frozen
    dataclass costs ~1.2 µs more per construction on the matcher's hot path.
    """

    host: str
    domain: str  # registrable domain
    entity: str | None = None
    parent: str | None = None
    categories: tuple[str, ...] = ()
    country: str | None = None
    broker: bool = False
    known: bool = False
    sources: tuple[str, ...] = ()
    matched: str | None = None  # the listed domain/suffix the host matched
    opinions: tuple[Opinion, ...] = ()  # all sources' views, in precedence order

    @property
    def owner(self) -> str | None:
        """The ultimate owner: the parent company when there is one, else the entity."""
        return self.parent or self.entity


@dataclass(frozen=True, slots=True)
class CookieInfo:
    """A known cookie (or name pattern) and what it is for."""

    name: str  # the name or pattern as listed (``_ga_*``)
    platform: str
    category: str  # taxonomy id
    purpose: str
    lifetime: str  # typical lifetime as the source states it ("2 years", "session")
    source: str
    domain: str | None = None  # the host the source says sets it, if any
    pattern: bool = False


@dataclass(frozen=True, slots=True)
class MeasurementService:
    """An audience-measurement service that documents measuring without cookies, storage or identifiers."""

    name: str
    domains: tuple[str, ...]
    configuration: str  # "default", or the setting it needs ("only with cookies disabled")
    behaviour: str  # what the vendor documents
    sources: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Exemption:
    """When audience measurement needs no consent: the regulator's conditions, and those the evidence shows."""

    authority: str
    title: str
    sources: tuple[str, ...]
    checked: tuple[str, ...]  # what leakmap verifies in the evidence
    conditions: tuple[str, ...]  # all of them, most for the publisher and the vendor to show


@dataclass(frozen=True, slots=True)
class FilterMatch:
    """A URL matched by a filter list, with the filter text that matched."""

    list: str  # "easyprivacy" or "easylist"
    filter: str
    version: str
    important: bool = False


@dataclass(frozen=True, slots=True)
class Fact:
    """One explainable statement: ``subject`` is ``what`` according to ``source`` at ``version``."""

    subject: str
    what: str
    source: str
    version: str
    detail: dict[str, object] = field(default_factory=dict)

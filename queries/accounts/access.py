"""The caller's access scope: which slices of the catalogue a user may obtain."""
from __future__ import annotations

from dataclasses import dataclass

from queries.store.codes import UNITS

NATIONAL = "NL"
ROLES = ("programme", "unit", "admin")


class AccessDenied(PermissionError):
    """Raised when a caller asks for a scope its role does not cover."""


@dataclass(frozen=True)
class Access:
    """A caller's role and, for unit users, their one unit; derived on the server only."""

    user: str
    role: str | None
    unit: str | None = None

    def __post_init__(self):
        if self.role == "unit" and self.unit not in UNITS:
            raise ValueError(f"unit role needs a valid unit code, got {self.unit!r}")

    @property
    def sees_all_units(self) -> bool:
        """Tell whether the caller sees every unit (programme managers and admins)."""
        return self.role in ("programme", "admin")

    def may_see(self, scope: str) -> bool:
        """Tell whether the caller may see figures for a scope (NATIONAL or a unit code)."""
        if self.role not in ROLES:
            return False
        if scope == NATIONAL or self.sees_all_units:
            return scope == NATIONAL or scope in UNITS
        return scope == self.unit

    def visible_scopes(self) -> list[str]:
        """Return every scope the caller may see, national first."""
        if self.role not in ROLES:
            return []
        return [NATIONAL, *(UNITS.values if self.sees_all_units else [self.unit])]

    def check(self, scope: str) -> str:
        """Return the scope when the caller may see it, else raise AccessDenied."""
        if not self.may_see(scope):
            raise AccessDenied(f"{self.user or 'anonymous'} may not see scope {scope!r}")
        return scope

"""Code lists of the registration store, each code with its Dutch and English label.

This module is the single definition of every code the store, the importer, the catalogue and
the pages use; nothing else spells a label.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# The category of a count table's total (and of a statistic over all clients of its count cell).
TOTAL = "_total"


@dataclass(frozen=True)
class Code:
    code: str
    nl: str
    en: str
    group: str | None = None


@dataclass(frozen=True)
class CodeList:
    name: str
    codes: tuple[Code, ...]
    _by_code: dict = field(default_factory=dict, compare=False, repr=False)

    def __post_init__(self):
        self._by_code.update({c.code: c for c in self.codes})

    def __iter__(self):
        return iter(self.codes)

    def __contains__(self, code: object) -> bool:
        return code in self._by_code

    @property
    def values(self) -> list[str]:
        """Return the codes in their display order."""
        return [c.code for c in self.codes]

    def label(self, code: str, lang: str = "nl") -> str:
        """Return the label of a code in a language (nl or en)."""
        return getattr(self._by_code[code], lang)

    def lookup(self, text: str) -> str | None:
        """Return the code for a code or a Dutch/English label, case-insensitively."""
        needle = text.strip().casefold()
        for c in self.codes:
            if needle in (c.code.casefold(), c.nl.casefold(), c.en.casefold()):
                return c.code
        return None


def _cl(name: str, *rows: tuple) -> CodeList:
    return CodeList(name, tuple(Code(*r) for r in rows))


TARGET_GROUPS = _cl(
    "target_group",
    ("current_staff", "Politiemedewerker", "Current police staff"),
    ("former_staff", "Oud-medewerker", "Former staff"),
    ("manager", "Leidinggevende", "Manager"),
    ("family", "Partner, familie of kind", "Partner, family or child"),
    ("trainee", "Aspirant", "Trainee"),
    ("volunteer", "Vrijwilliger", "Volunteer"),
    ("peer_supporter", "Collegiale ondersteuner", "Peer supporter"),
    ("care_professional", "Zorgprofessional", "Care professional"),
)

PRODUCTS = _cl(
    "product",
    ("info_advice", "1 Telefonische informatie en advies", "1 Telephone information and advice"),
    ("short_term", "2 Kortdurende hulp", "2 Short-term help"),
    ("process_guidance", "3 Procesmatige begeleiding", "3 Process guidance"),
    ("crisis", "4 Crisisondersteuning", "4 Crisis support"),
    ("time_out", "5 Time-out", "5 Time-out"),
    ("case_management", "6 Casemanagement", "6 Case management"),
    ("supplementary", "7 Aanvullend aanbod", "7 Supplementary offer"),
)

PRODUCT_DEFINITIONS = {
    "info_advice": (
        "Eén tot twee telefoongesprekken, 24/7, inclusief het meldpunt PTSS.",
        "One or two calls, 24/7, including the PTSD reporting point.",
    ),
    "short_term": (
        "Ten hoogste 5 à 6 gesprekken bij de cliënt thuis.",
        "At most 5 or 6 face-to-face sessions at the client's home.",
    ),
    "process_guidance": (
        "Begeleiding bij complexe of meervoudige problematiek; 15 of meer gesprekken mogelijk.",
        "Guidance with complex or multiple problems; 15 or more sessions possible.",
    ),
    "crisis": ("Directe ondersteuning in een crisissituatie.", "Immediate support in a crisis."),
    "time_out": (
        "Enkele dagen verblijf in een hotel met gesprekken.",
        "A few days' hotel stay with talks.",
    ),
    "case_management": (
        "Regie over de hulp van verschillende hulpverleners.",
        "Coordination of the help of several care providers.",
    ),
    "supplementary": (
        "Lotgenotengroepen voor partners, een geldcursus en ander aanvullend aanbod.",
        "Peer groups for partners, a money course and other supplementary help.",
    ),
}

QUESTION_TYPES = _cl(
    "question_type",
    ("ptsd_trauma", "PTSS of trauma", "PTSD or trauma"),
    ("relationship", "Relatie", "Relationship"),
    ("conflict_work", "Conflict op het werk", "Conflict at work"),
    ("conflict_manager", "Conflict met leidinggevende", "Conflict with manager"),
    ("financial", "Financieel", "Financial"),
    ("legal_status", "Rechtspositie", "Legal or employment status"),
    ("suicidal", "Suïcidaal gedrag", "Suicidal behaviour"),
    ("organisational_stress", "Organisatiestress", "Organisational stress"),
    ("reorganisation", "Reorganisatie", "Reorganisation"),
    ("workload", "Werkdruk", "Workload"),
)

# The group lets the pages show the three headline rates (back to the unit, external, none)
# while the store keeps where a client was referred to.
REFERRAL_OUTCOMES = _cl(
    "referral_outcome",
    ("back_to_unit", "Terug naar interne zorglijn eenheid", "Back to the unit's care line", "unit"),
    ("external_gp", "Huisarts", "General practitioner", "external"),
    ("external_mental_health", "GGZ", "Mental-health care", "external"),
    ("external_crisis", "Crisisdienst", "Crisis service", "external"),
    ("external_police_clinic", "Politiepolikliniek", "Police outpatient clinic", "external"),
    ("none_needed", "Geen verwijzing nodig", "No referral needed", "none"),
)

CHANNELS = _cl(
    "channel",
    ("phone", "Telefoon", "Phone"),
    ("email", "E-mail", "E-mail"),
    ("web", "Website", "Web"),
)

FOUND_VIA = _cl(
    "found_via",
    ("colleague", "Collega", "Colleague"),
    ("manager", "Leidinggevende", "Manager"),
    ("intranet", "Intranet", "Intranet"),
    ("website", "Website Blauwe Veerkracht", "Blauwe Veerkracht website"),
    ("company_doctor", "Bedrijfsarts", "Company doctor"),
    ("social_work", "Bedrijfsmaatschappelijk werk", "Company social work"),
    ("peer_support", "Collegiale ondersteuning", "Peer support"),
    ("other", "Anders", "Other"),
)

GENDERS = _cl(
    "gender",
    ("male", "Man", "Male"),
    ("female", "Vrouw", "Female"),
    ("other", "Anders of onbekend", "Other or unknown"),
)

AGE_BANDS = _cl(
    "age_band",
    ("lt25", "Jonger dan 25", "Under 25"),
    ("25_34", "25-34", "25-34"),
    ("35_44", "35-44", "35-44"),
    ("45_54", "45-54", "45-54"),
    ("55_64", "55-64", "55-64"),
    ("65plus", "65 en ouder", "65 and over"),
)

ANONYMITY_REASONS = _cl(
    "anonymity_reason",
    ("career", "Angst voor gevolgen voor loopbaan", "Fear for career consequences"),
    ("distrust", "Geen vertrouwen in interne zorglijn", "No trust in the internal care line"),
    ("private", "Privézaak", "Private matter"),
    ("manager_involved", "Leidinggevende is betrokken", "Manager is involved"),
    ("other", "Anders", "Other"),
)

WORK_STATUSES = _cl(
    "work_status",
    ("working", "Volledig aan het werk", "Fully at work"),
    ("partly", "Gedeeltelijk aan het werk", "Partly at work"),
    ("sick_leave", "Verzuim", "On sick leave"),
    ("not_applicable", "Niet van toepassing", "Not applicable"),
)

SESSION_MODES = _cl(
    "session_mode",
    ("face_to_face", "Face-to-face", "Face to face"),
    ("phone", "Telefonisch", "By phone"),
    ("video", "Beeldbellen", "Video call"),
)

GOALS_REACHED = _cl(
    "goals_reached",
    ("yes", "Ja", "Yes"),
    ("partly", "Gedeeltelijk", "Partly"),
    ("no", "Nee", "No"),
)

# Regional units first, then the national ones; UNKNOWN_UNIT is for clients who do not say.
UNITS = _cl(
    "unit",
    ("NN", "Noord-Nederland", "Northern Netherlands"),
    ("ON", "Oost-Nederland", "Eastern Netherlands"),
    ("MN", "Midden-Nederland", "Central Netherlands"),
    ("NH", "Noord-Holland", "North Holland"),
    ("AM", "Amsterdam", "Amsterdam"),
    ("DH", "Den Haag", "The Hague"),
    ("RT", "Rotterdam", "Rotterdam"),
    ("ZWB", "Zeeland-West-Brabant", "Zeeland-West-Brabant"),
    ("OB", "Oost-Brabant", "East Brabant"),
    ("LB", "Limburg", "Limburg"),
    ("LE", "Landelijke Eenheid", "National Unit"),
    ("PDC", "Politiedienstencentrum", "Police Services Centre"),
    ("PA", "Politieacademie", "Police Academy"),
    ("UNK", "Onbekend / niet opgegeven", "Unknown / not disclosed"),
)
UNKNOWN_UNIT = "UNK"

CODE_LISTS = {
    cl.name: cl
    for cl in (
        TARGET_GROUPS, PRODUCTS, QUESTION_TYPES, REFERRAL_OUTCOMES, CHANNELS, FOUND_VIA,
        GENDERS, AGE_BANDS, ANONYMITY_REASONS, WORK_STATUSES, SESSION_MODES, GOALS_REACHED, UNITS,
    )
}

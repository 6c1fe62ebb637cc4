"""Every indicator's name, definition, numerator and denominator (the definitions page, exports' notes)."""
from __future__ import annotations

Pair = tuple[str, str]

_REG = ("Alle aanmeldingen in de periode", "All registrations in the period")
_CLOSED = ("Alle in de periode afgesloten trajecten", "All trajectories closed in the period")
_SURVEYS = ("Alle ingevulde vragenlijsten in de periode", "All survey responses in the period")
_CONTACTS = ("Alle contacten in de periode", "All contacts in the period")

# key, name, definition, numerator, denominator (None: a statistic over the clients in the numerator)
_DEFINITIONS: tuple[tuple[str, Pair, Pair, Pair, Pair | None], ...] = (
    ("registrations", ("Aanmeldingen", "Registrations"),
     ("Cliënten die zich in de periode aanmeldden voor een hulptraject (op datum van aanmelding).",
      "Clients who registered for a help trajectory in the period (by registration date)."),
     ("Aantal aanmeldingen", "Number of registrations"), None),
    ("contacts", ("Contacten", "Contacts"),
     ("Elk telefoongesprek, e-mail of webcontact met het Loket in de periode, ook zonder aanmelding.",
      "Every phone call, e-mail or web contact with the Loket in the period, also without a registration."),
     ("Aantal contacten", "Number of contacts"), None),
    ("closures", ("Afgesloten trajecten", "Closed trajectories"),
     ("Trajecten die in de periode zijn afgesloten.", "Trajectories closed in the period."),
     ("Aantal afgesloten trajecten", "Number of closed trajectories"), None),
    ("waiting_median", ("Wachttijd tot intake (mediaan)", "Waiting time to intake (median)"),
     ("Van de cliënten met hun eerste intake in de periode wachtte de helft hooguit dit aantal dagen sinds de "
      "aanmelding: de middelste wachttijd in hele dagen (bij een even aantal de lagere van de twee middelste). "
      "Getoond zodra het aantal intakes de minimumgrens haalt.",
      "Of the clients with their first intake in the period, half waited at most this many days since "
      "registering: the middle waiting time in whole days (with an even number, the lower of the two middle "
      "ones). Shown whenever the number of intakes reaches the minimum count."),
     ("Dagen van aanmelding tot eerste intake, per intake in de periode",
      "Days from registration to first intake, per intake in the period"), None),
    ("waiting_p80", ("Wachttijd tot intake (80e percentiel)", "Waiting time to intake (80th percentile)"),
     ("80% van de cliënten met hun eerste intake in de periode wachtte hooguit dit aantal dagen: de wachttijd "
      "van een van die cliënten, in hele dagen, zonder interpolatie. Getoond zodra het aantal intakes de minimumgrens haalt.",
      "80% of the clients with their first intake in the period waited at most this many days: the waiting "
      "time of one of those clients, in whole days, without interpolation. Shown whenever the number of "
      "intakes reaches the minimum count."),
     ("Dagen van aanmelding tot eerste intake, per intake in de periode",
      "Days from registration to first intake, per intake in the period"), None),
    ("waiting_within_14", ("Intake binnen 14 dagen", "Intake within 14 days"),
     ("Aandeel van de eerste intakes in de periode dat binnen 14 dagen na de aanmelding plaatsvond.",
      "Share of the first intakes in the period that took place within 14 days of registering."),
     ("Intakes binnen 14 dagen na aanmelding", "Intakes within 14 days of registering"),
     ("Eerste intakes in de periode", "First intakes in the period")),
    ("throughput_median", ("Doorlooptijd (mediaan)", "Throughput time (median)"),
     ("De helft van de trajecten die in de periode afgesloten werden, duurde hooguit dit aantal dagen van "
      "aanmelding tot afsluiting: de middelste doorlooptijd in hele dagen (bij een even aantal de lagere van "
      "de twee middelste); per product. Getoond zodra het aantal afgesloten trajecten de minimumgrens haalt.",
      "Half of the trajectories closed in the period took at most this many days from registration to "
      "closure: the middle throughput time in whole days (with an even number, the lower of the two middle "
      "ones); per product. Shown whenever the number of closed trajectories reaches the minimum count."),
     ("Dagen van aanmelding tot afsluiting, per afgesloten traject",
      "Days from registration to closure, per closed trajectory"), None),
    ("sessions_mean", ("Gesprekken per traject (gemiddelde)", "Sessions per trajectory (mean)"),
     ("Gemiddeld aantal gesprekken van de trajecten die in de periode afgesloten werden, op één decimaal "
      "afgerond. Getoond zodra het aantal afgesloten trajecten de minimumgrens haalt.",
      "Mean number of sessions of the trajectories closed in the period, rounded to one decimal. Shown "
      "whenever the number of closed trajectories reaches the minimum count."),
     ("Aantal gesprekken per afgesloten traject", "Number of sessions per closed trajectory"), None),
    ("sessions_median", ("Gesprekken per traject (mediaan)", "Sessions per trajectory (median)"),
     ("Mediaan van het aantal gesprekken van de trajecten die in de periode afgesloten werden: het middelste "
      "aantal (bij een even aantal trajecten het lagere van de twee middelste).",
      "Median number of sessions of the trajectories closed in the period: the middle number (with an even "
      "number of trajectories, the lower of the two middle ones)."),
     ("Aantal gesprekken per afgesloten traject", "Number of sessions per closed trajectory"), None),
    ("pg_without_evaluation", ("Procesbegeleiding zonder evaluatiemoment",
                               "Process guidance without an evaluation moment"),
     ("Aandeel van de in de periode afgesloten trajecten procesmatige begeleiding dat niet op tijd een "
      "evaluatiemoment had: uiterlijk elke 8 gesprekken één.",
      "Share of the process-guidance trajectories closed in the period that did not have an evaluation "
      "moment in time: at least one every 8 sessions."),
     ("Afgesloten trajecten procesmatige begeleiding met te weinig evaluatiemomenten",
      "Closed process-guidance trajectories with too few evaluation moments"),
     ("Afgesloten trajecten procesmatige begeleiding", "Closed process-guidance trajectories")),
    ("counsellor_changed", ("Wisseling van hulpverlener", "Counsellor changed"),
     ("Aandeel van de in de periode afgesloten trajecten waarin de cliënt minstens één keer een andere "
      "hulpverlener kreeg.",
      "Share of the trajectories closed in the period in which the client got another counsellor at least once."),
     ("Afgesloten trajecten met één of meer wisselingen", "Closed trajectories with one or more changes"), _CLOSED),
    ("counsellor_changes", ("Wisselingen van hulpverlener", "Counsellor changes"),
     ("In de periode afgesloten trajecten naar het aantal keren dat de cliënt een andere hulpverlener kreeg.",
      "Trajectories closed in the period by the number of times the client got another counsellor."),
     ("Afgesloten trajecten met 0, 1, of 2 of meer wisselingen",
      "Closed trajectories with 0, 1, or 2 or more changes"), _CLOSED),
    ("referral_back_rate", ("Terugverwezen naar de eenheid", "Referred back to the unit"),
     ("Aandeel van de in de periode afgesloten trajecten dat terugverwezen is naar de interne zorglijn van de "
      "eenheid.",
      "Share of the trajectories closed in the period that were referred back to the unit's internal care line."),
     ("Afgesloten trajecten met verwijzing 'terug naar de eenheid'", "Closed trajectories referred back to the unit"),
     _CLOSED),
    ("referral_external_rate", ("Verwezen naar externe zorg", "Referred to external care"),
     ("Aandeel van de in de periode afgesloten trajecten dat verwezen is naar huisarts, GGZ, crisisdienst of "
      "politiepolikliniek.",
      "Share of the trajectories closed in the period that were referred to a GP, mental-health care, a crisis "
      "service or the police outpatient clinic."),
     ("Afgesloten trajecten met een externe verwijzing (som van de vier soorten; niet getoond als één ervan "
      "niet getoond is)", "Closed trajectories with an external referral (sum of the four kinds; not shown "
      "when one of them is not shown)"), _CLOSED),
    ("referral_none_rate", ("Geen verwijzing nodig", "No referral needed"),
     ("Aandeel van de in de periode afgesloten trajecten dat geen verwijzing nodig had.",
      "Share of the trajectories closed in the period that needed no referral."),
     ("Afgesloten trajecten zonder verwijzing", "Closed trajectories without a referral"), _CLOSED),
    ("referral_outcomes", ("Verwijzingen", "Referral outcomes"),
     ("In de periode afgesloten trajecten naar hun uitkomst: terug naar de eenheid, een van de externe "
      "verwijzingen, geen verwijzing nodig, of niet vastgelegd.",
      "Trajectories closed in the period by their outcome: back to the unit, one of the external referrals, "
      "no referral needed, or not recorded."),
     ("Afgesloten trajecten per uitkomst", "Closed trajectories per outcome"), _CLOSED),
    ("tcl_applied", ("TCL-screening bij intake", "TCL screening at intake"),
     ("Aandeel van de eerste intakes in de periode waarbij de TCL-screening (traumaklachtenlijst) is afgenomen.",
      "Share of the first intakes in the period at which the TCL screening (trauma symptom checklist) was done."),
     ("Intakes met TCL-screening (alle intakes min die zonder screening)",
      "Intakes with a TCL screening (all intakes minus those without)"),
     ("Eerste intakes in de periode", "First intakes in the period")),
    ("tcl_above_referred", ("Boven afkapwaarde en verwezen", "Above cut-off and referred"),
     ("Aandeel van de in de periode afgesloten trajecten met een TCL-score boven de afkapwaarde dat verwezen is "
      "(naar de eenheid of externe zorg).",
      "Share of the trajectories closed in the period with a TCL score above the cut-off that were referred "
      "(to the unit or external care)."),
     ("Afgesloten trajecten boven de afkapwaarde met een verwijzing",
      "Closed trajectories above the cut-off with a referral"),
     ("Afgesloten trajecten met een TCL-score boven de afkapwaarde",
      "Closed trajectories with a TCL score above the cut-off")),
    ("anonymity_rate", ("Anonimiteitswens", "Anonymity wish"),
     ("Aandeel van de aanmeldingen waarin de cliënt anoniem wil blijven tegenover de interne zorglijn van de eenheid.",
      "Share of the registrations in which the client wants to stay anonymous towards the unit's internal care line."),
     ("Aanmeldingen met anonimiteitswens", "Registrations with an anonymity wish"), _REG),
    ("anonymity_reasons", ("Redenen voor anonimiteit", "Reasons for anonymity"),
     ("Waarom cliënten anoniem willen blijven tegenover hun eenheid.",
      "Why clients want to stay anonymous towards their unit."),
     ("Aanmeldingen met anonimiteitswens, per reden", "Registrations with an anonymity wish, per reason"),
     ("Aanmeldingen met anonimiteitswens", "Registrations with an anonymity wish")),
    ("question_types_by_anonymity", ("Vraagtypen naar anonimiteitswens", "Question types by anonymity wish"),
     ("Met welke vragen komen cliënten die anoniem willen blijven tegenover hun eenheid, naast die van de "
      "anderen: per vraagtype het aandeel van de aanmeldingen met en zonder anonimiteitswens, per jaar.",
      "Which questions clients bring who want to stay anonymous towards their unit, next to those of the others: "
      "per question type the share of the registrations with and without an anonymity wish, per year."),
     ("Aanmeldingen met dit vraagtype, met of zonder anonimiteitswens",
      "Registrations with this question type, with or without an anonymity wish"),
     ("Aanmeldingen met, of zonder, anonimiteitswens", "Registrations with, or without, an anonymity wish")),
    ("target_groups_by_reason", ("Redenen voor anonimiteit naar doelgroep", "Reasons for anonymity by target group"),
     ("Per reden voor de anonimiteitswens: uit welke doelgroepen de cliënten met die reden komen, per jaar.",
      "Per reason for the anonymity wish: which target groups the clients giving that reason belong to, per year."),
     ("Aanmeldingen met deze reden uit deze doelgroep", "Registrations with this reason from this target group"),
     ("Aanmeldingen met deze reden", "Registrations with this reason")),
    ("back_to_unit_by_product", ("Terugverwezen naar de eenheid, per product", "Referred back to the unit, by product"),
     ("Per product: het aandeel van de in het jaar afgesloten trajecten dat terugverwezen is naar de interne "
      "zorglijn van de eenheid.",
      "Per product: the share of the trajectories closed in the year that were referred back to the unit's "
      "internal care line."),
     ("Afgesloten trajecten van dit product, terugverwezen naar de eenheid",
      "Closed trajectories of this product referred back to the unit"),
     ("Afgesloten trajecten van dit product", "Closed trajectories of this product")),
    ("respondents_by_product", ("Invullers en afgesloten trajecten per product",
                                "Respondents and closed trajectories by product"),
     ("Spreken de ingevulde vragenlijsten voor iedereen? Per product het aandeel van de vragenlijsten naast het "
      "aandeel van de afgesloten trajecten, landelijk per jaar.",
      "Do the survey responses speak for everyone? Per product the share of the responses next to the share of "
      "the closed trajectories, national per year."),
     ("Vragenlijsten (of afgesloten trajecten) van dit product", "Responses (or closed trajectories) of this product"),
     ("Alle vragenlijsten (of alle afgesloten trajecten) in het jaar",
      "All responses (or all closed trajectories) in the year")),
    ("respondents_by_target_group", ("Invullers en afgesloten trajecten per doelgroep",
                                     "Respondents and closed trajectories by target group"),
     ("Spreken de ingevulde vragenlijsten voor iedereen? Per doelgroep het aandeel van de vragenlijsten naast het "
      "aandeel van de afgesloten trajecten, landelijk per jaar.",
      "Do the survey responses speak for everyone? Per target group the share of the responses next to the share "
      "of the closed trajectories, national per year."),
     ("Vragenlijsten (of afgesloten trajecten) uit deze doelgroep",
      "Responses (or closed trajectories) from this target group"),
     ("Alle vragenlijsten (of alle afgesloten trajecten) in het jaar",
      "All responses (or all closed trajectories) in the year")),
    ("response_by_product", ("Respons per product", "Response rate by product"),
     ("Ingevulde vragenlijsten per product als aandeel van de afgesloten trajecten van dat product, landelijk "
      "per jaar.",
      "Survey responses per product as a share of the closed trajectories of that product, national per year."),
     ("Ingevulde vragenlijsten over dit product", "Survey responses about this product"),
     ("Afgesloten trajecten van dit product", "Closed trajectories of this product")),
    ("response_rate", ("Respons cliëntonderzoek", "Survey response rate"),
     ("Ingevulde vragenlijsten in de periode als aandeel van de trajecten die in de periode afgesloten werden.",
      "Survey responses in the period as a share of the trajectories closed in the period."),
     ("Ingevulde vragenlijsten", "Survey responses"), ("Afgesloten trajecten", "Closed trajectories")),
    ("grade_mean", ("Rapportcijfer (gemiddelde)", "Survey grade (mean)"),
     ("Gemiddeld rapportcijfer (1-10) dat cliënten het Loket gaven, op één decimaal afgerond. Getoond zodra "
      "het aantal ingevulde vragenlijsten de minimumgrens haalt.",
      "Mean grade (1-10) clients gave the Loket, rounded to one decimal. Shown whenever the number of survey "
      "responses reaches the minimum count."),
     ("Cijfer per ingevulde vragenlijst", "Grade per survey response"), None),
    ("grade_7plus", ("Cijfer 7 of hoger", "Grade 7 or higher"),
     ("Aandeel van de ingevulde vragenlijsten met een rapportcijfer van 7 of hoger.",
      "Share of the survey responses with a grade of 7 or higher."),
     ("Vragenlijsten met cijfer 7 of hoger", "Responses with grade 7 or higher"), _SURVEYS),
    ("goals_reached", ("Doelen bereikt", "Goals reached"),
     ("Aandeel van de cliënten dat zegt dat de doelen van het traject bereikt zijn.",
      "Share of the clients who say the goals of the trajectory were reached."),
     ("Vragenlijsten met 'doelen bereikt: ja'", "Responses with 'goals reached: yes'"), _SURVEYS),
    ("goals_breakdown", ("Doelen bereikt: ja, gedeeltelijk, nee", "Goals reached: yes, partly, no"),
     ("Ingevulde vragenlijsten naar het antwoord op de vraag of de doelen bereikt zijn.",
      "Survey responses by the answer to whether the goals were reached."),
     ("Vragenlijsten per antwoord", "Responses per answer"), _SURVEYS),
    ("expectations_met", ("Verwachtingen waargemaakt", "Expectations met"),
     ("Aandeel van de cliënten dat zegt dat hun verwachtingen zijn waargemaakt.",
      "Share of the clients who say their expectations were met."),
     ("Vragenlijsten met 'verwachtingen waargemaakt: ja'", "Responses with 'expectations met: yes'"), _SURVEYS),
    ("work_resumed", ("Werk hervat", "Work resumed"),
     ("Aandeel van de cliënten dat zegt het werk (weer) te doen.", "Share of the clients who say they are (back) at work."),
     ("Vragenlijsten met 'werk hervat: ja'", "Responses with 'work resumed: yes'"), _SURVEYS),
    ("aspect_ratings", ("Waardering van aspecten", "Aspect ratings"),
     ("Gemiddelde waardering (1-10) van bereikbaarheid, wachttijd, deskundigheid en bejegening.",
      "Mean rating (1-10) of reachability, waiting time, expertise and treatment."),
     ("Waardering per aspect per ingevulde vragenlijst", "Rating per aspect per survey response"), None),
    ("outside_office_hours", ("Buiten kantoortijd", "Outside office hours"),
     ("Aandeel van de contacten 's avonds (18-23 uur), 's nachts (23-8 uur) of in het weekend.",
      "Share of the contacts in the evening (18:00-23:00), at night (23:00-08:00) or at the weekend."),
     ("Contacten buiten kantoortijd (alle contacten min die op werkdagen 8-18 uur)",
      "Contacts outside office hours (all contacts minus those on weekdays 08:00-18:00)"), _CONTACTS),
    ("evening_share", ("'s Avonds", "Evenings"),
     ("Aandeel van de contacten op werkdagen tussen 18 en 23 uur.", "Share of the contacts on weekdays 18:00-23:00."),
     ("Contacten op werkdagen 18-23 uur", "Contacts on weekdays 18:00-23:00"), _CONTACTS),
    ("night_share", ("'s Nachts", "Nights"),
     ("Aandeel van de contacten op werkdagen tussen 23 en 8 uur.", "Share of the contacts on weekdays 23:00-08:00."),
     ("Contacten op werkdagen 23-8 uur", "Contacts on weekdays 23:00-08:00"), _CONTACTS),
    ("weekend_share", ("Weekend", "Weekends"),
     ("Aandeel van de contacten op zaterdag en zondag.", "Share of the contacts on Saturday and Sunday."),
     ("Contacten in het weekend", "Contacts at the weekend"), _CONTACTS),
    ("contacts_by_channel", ("Contacten per kanaal", "Contacts by channel"),
     ("Contacten naar kanaal: telefoon, e-mail, website.", "Contacts by channel: phone, e-mail, web."),
     ("Contacten per kanaal", "Contacts per channel"), _CONTACTS),
    ("website_visits", ("Bezoeken website", "Website visits"),
     ("Bezoeken van de website Blauwe Veerkracht, nieuwe en terugkerende bezoekers; geen cliëntgegevens, "
      "dus niet afgerond of verborgen.",
      "Visits of the Blauwe Veerkracht website, new and returning visitors; no client data, so neither "
      "rounded nor hidden."),
     ("Aantal bezoeken", "Number of visits"), None),
    ("reach_per_1000", ("Bereik per 1.000 medewerkers", "Reach per 1,000 staff"),
     ("Aanmeldingen per 1.000 medewerkers van de eenheid (landelijk: van alle eenheden samen).",
      "Registrations per 1,000 staff of the unit (national: of all units together)."),
     ("Aanmeldingen van de eenheid (getoond, afgerond aantal) x 1.000",
      "Registrations of the unit (shown, rounded count) x 1,000"),
     ("Aantal medewerkers van de eenheid (openbaar)", "Staff of the unit (public headcount)")),
    ("registrations_by_unit", ("Aanmeldingen per eenheid", "Registrations by unit"),
     ("Aanmeldingen naar de eenheid van de cliënt, met het aandeel in het landelijke totaal (alleen voor de "
      "opdrachtgever).",
      "Registrations by the client's unit, with the share of the national total (for the commissioner only)."),
     ("Aanmeldingen van de eenheid", "Registrations of the unit"), _REG),
    ("share_target_group", ("Aanmeldingen naar doelgroep", "Registrations by target group"),
     ("Aanmeldingen naar doelgroep: medewerkers, oud-medewerkers, leidinggevenden, naasten, aspiranten en anderen.",
      "Registrations by target group: staff, former staff, managers, family, trainees and others."),
     ("Aanmeldingen in de doelgroep", "Registrations in the target group"), _REG),
    ("share_product", ("Aanmeldingen naar product", "Registrations by product"),
     ("Aanmeldingen naar het product (soort hulp); alle zeven producten, met hun omschrijving.",
      "Registrations by product (type of help); all seven products, with their description."),
     ("Aanmeldingen voor het product", "Registrations for the product"), _REG),
    ("share_channel", ("Aanmeldingen naar kanaal", "Registrations by channel"),
     ("Aanmeldingen naar het kanaal waarlangs de cliënt zich aanmeldde.",
      "Registrations by the channel through which the client registered."),
     ("Aanmeldingen via het kanaal", "Registrations through the channel"), _REG),
    ("share_found_via", ("Hoe gevonden", "Found via"),
     ("Aanmeldingen naar hoe de cliënt het Loket vond.", "Registrations by how the client found the Loket."),
     ("Aanmeldingen per antwoord", "Registrations per answer"), _REG),
    ("share_question_type", ("Vraagtypen", "Question types"),
     ("Aanmeldingen naar vraagtype; één aanmelding kan meer vraagtypen hebben.",
      "Registrations by question type; one registration can have several."),
     ("Aanmeldingen met het vraagtype", "Registrations with the question type"), _REG),
    ("share_gender", ("Geslacht", "Gender"),
     ("Aanmeldingen naar geslacht van de cliënt.", "Registrations by the client's gender."),
     ("Aanmeldingen per geslacht", "Registrations per gender"), _REG),
    ("share_age_band", ("Leeftijd", "Age band"),
     ("Aanmeldingen naar leeftijdsgroep van de cliënt.", "Registrations by the client's age band."),
     ("Aanmeldingen per leeftijdsgroep", "Registrations per age band"), _REG),
)


def _entries(key: str, name: Pair, definition: Pair, numerator: Pair, denominator: Pair | None) -> dict[str, Pair]:
    texts = {f"ind.{key}": name, f"ind.{key}.def": definition, f"ind.{key}.num": numerator}
    return texts | ({f"ind.{key}.den": denominator} if denominator else {})


TEXTS: dict[str, Pair] = {k: pair for row in _DEFINITIONS for k, pair in _entries(*row).items()}

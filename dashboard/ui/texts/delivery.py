"""The texts of delivery: the subscriptions page, the archive page and the mail that brings the pack."""
from __future__ import annotations

TEXTS: dict[str, tuple[str, str]] = {
    # The subscriptions page (dashboard/pages/admin_subscriptions.py)
    "page.admin_subscriptions": ("Abonnementen", "Subscriptions"),
    "subscriptions.intro": (
        "Wie krijgt het stuurpakket van elke nieuwe publicatie per e-mail: welk account, op welk adres, voor welk "
        "bereik, in welk formaat en in welke taal. Een eenheidsaccount kan alleen het pakket van de eigen eenheid "
        "krijgen. Het pakket wordt gemaakt zoals de ontvanger het zelf zou maken, en alleen verstuurd zolang de rol "
        "en eenheid van het account niet zijn veranderd.",
        "Who gets the steering pack of every new release by e-mail: which account, at which address, for which "
        "scope, in which format and language. A unit account can get only its own unit's pack. The pack is made as "
        "the recipient would make it, and sent only while the account's role and unit are unchanged.",
    ),
    "subscriptions.id": ("Nr.", "No."),
    "subscriptions.since": ("Sinds", "Since"),
    "subscriptions.account": ("Account", "Account"),
    "subscriptions.email": ("E-mailadres", "E-mail address"),
    "subscriptions.scope": ("Bereik", "Scope"),
    "subscriptions.format": ("Formaat", "Format"),
    "subscriptions.language": ("Taal", "Language"),
    "subscriptions.add": ("Abonnement toevoegen", "Add subscription"),
    "subscriptions.added": ("Het abonnement is toegevoegd.", "The subscription was added."),
    "subscriptions.deactivate": ("Stoppen", "Stop"),
    "subscriptions.deactivated": ("Het abonnement is gestopt.", "The subscription was stopped."),
    "subscriptions.active": ("Actief", "Active"),
    "subscriptions.stopped": ("gestopt", "stopped"),
    "subscriptions.by": ("Door", "By"),
    "subscriptions.caption": ("Abonnementen, actieve eerst", "Subscriptions, active ones first"),
    "subscriptions.none": ("Er zijn (nog) geen abonnementen.", "There are no subscriptions (yet)."),
    "subscriptions.deliveries": ("Verzendingen van de laatste publicaties", "Mailings of the latest releases"),
    "subscriptions.no_deliveries": ("Er is (nog) niets verzonden.", "Nothing has been sent (yet)."),
    "subscriptions.release": ("Publicatie", "Release"),
    "subscriptions.state": ("Status", "State"),
    "subscriptions.attempts": ("Pogingen", "Attempts"),
    "subscriptions.error": ("Laatste fout", "Last error"),
    "subscriptions.sent_at": ("Verzonden", "Sent"),
    "subscriptions.no_smtp": (
        "Er is geen mailserver ingesteld (LOKET_SMTP_HOST): er wordt niets verzonden.",
        "No mail server is configured (LOKET_SMTP_HOST): nothing is sent.",
    ),
    "delivery.state.pending": ("wacht", "waiting"),
    "delivery.state.sending": ("wordt verzonden", "sending"),
    "delivery.state.sent": ("verzonden", "sent"),
    "delivery.state.failed": ("mislukt", "failed"),
    "delivery.error.email": ("Dat is geen e-mailadres.", "That is not an e-mail address."),
    "delivery.error.format": ("Kies een formaat.", "Choose a format."),
    "delivery.error.language": ("Kies een taal.", "Choose a language."),
    "delivery.error.account": (
        "Dat account bestaat niet of heeft geen rol.", "That account does not exist or has no role."),
    "delivery.error.scope": (
        "Een eenheidsaccount kan alleen het pakket van de eigen eenheid krijgen.",
        "A unit account can get only its own unit's pack.",
    ),
    "delivery.failed": ("Het versturen van de stuurpakketten is mislukt.", "Sending the steering packs failed."),
    "action.subscribe": ("Abonnement toegevoegd", "Subscription added"),
    "action.unsubscribe": ("Abonnement gestopt", "Subscription stopped"),
    # The archive page (dashboard/pages/archive.py)
    "page.archive": ("Archief", "Archive"),
    "archive.intro": (
        "De stuurpakketten van elke publicatie, zoals ze zijn verstuurd. Elke download wordt vastgelegd in het "
        "logboek.",
        "The steering packs of every release, as they were sent. Every download is recorded in the audit log.",
    ),
    "archive.caption": ("Stuurpakketten, nieuwste publicatie eerst", "Steering packs, newest release first"),
    "archive.none": ("Er zijn (nog) geen stuurpakketten in het archief.", "There are no steering packs in the archive (yet)."),
    "archive.release": ("Publicatie", "Release"),
    "archive.period": ("Periode", "Period"),
    "archive.scope": ("Bereik", "Scope"),
    "archive.format": ("Formaat", "Format"),
    "archive.language": ("Taal", "Language"),
    "archive.size": ("Grootte", "Size"),
    "archive.download": ("Download", "Download"),
    "language.nl": ("Nederlands", "Dutch"),
    "language.en": ("Engels", "English"),
    # The mail (dashboard/delivery.py); never any figure, only what the pack is
    "mail.subject": ("Stuurpakket {scope}, {period} ({release})", "Steering pack {scope}, {period} ({release})"),
    "mail.body": (
        "Goedendag,\n\nHierbij het stuurpakket van de Loket-monitor voor {scope}, over {period}, uit {release} "
        "(gegevens tot en met {until}).\n\nAlle cijfers zijn beschermd: {rule} Het pakket bevat niets dat u niet "
        "ook in het dashboard ziet.\n",
        "Hello,\n\nHere is the Loket monitor's steering pack for {scope}, for {period}, from {release} (data up to "
        "{until}).\n\nEvery figure is protected: {rule} The pack holds nothing you could not see in the dashboard.\n",
    ),
    "mail.attached": ("Het pakket is bijgevoegd ({name}, {size}).", "The pack is attached ({name}, {size})."),
    "mail.link": (
        "Het pakket is te groot om mee te sturen ({size}); u vindt het in het archief: {url}",
        "The pack is too large to attach ({size}); find it in the archive: {url}",
    ),
    "mail.closing": (
        "\nDit bericht is automatisch verstuurd omdat u een abonnement hebt. Uw beheerder kan het stoppen.\n",
        "\nThis message was sent automatically because you have a subscription. Your administrator can stop it.\n",
    ),
}

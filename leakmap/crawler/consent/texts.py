"""leakmap's own curated button texts of consent banners, by language and role.

They supplement the texts of the consent platforms' language packs (see
``leakmap.crawler.consent.packs``): ``vocabulary_build`` merges both into
``data/vocabulary.json``, which is what the heuristic reads. Where a pack
and this list disagree on what a text does, this list wins. Texts are
written as they are matched: the whole normalised visible text of a button
(lower case, single spaces, no surrounding punctuation), so "Accept"
matches and a paragraph containing "accept" does not.
"""

ACCEPT = {
    "en": ("accept all", "accept all cookies", "accept cookies", "accept", "allow all", "allow all cookies",
           "allow cookies", "i accept", "agree", "i agree", "agree and close", "accept and close", "accept & close",
           "agree and continue", "accept and continue", "yes, i agree", "ok, i agree", "got it", "ok", "that's ok"),
    "fr": ("tout accepter", "accepter tout", "accepter", "accepter et fermer", "accepter et continuer", "j'accepte",
           "j’accepte", "accepter les cookies", "accepter tous les cookies", "autoriser tous les cookies",
           "tout autoriser", "ok pour moi", "c'est bon", "oui, j'accepte", "d'accord", "j'ai compris"),
    "de": ("alle akzeptieren", "alles akzeptieren", "akzeptieren", "alle cookies akzeptieren", "alle zulassen",
           "alle erlauben", "zustimmen", "allen zustimmen", "einverstanden", "ich stimme zu",
           "akzeptieren und schließen", "das ist ok", "cookies erlauben", "alle cookies erlauben", "cookies zulassen",
           "alle cookies zulassen"),
    "es": ("aceptar todo", "aceptar todas", "aceptar", "aceptar cookies", "aceptar todas las cookies", "permitir todas",
           "acepto", "de acuerdo"),
    "it": ("accetta tutto", "accetta tutti", "accetta", "accetto", "accetta tutti i cookie", "consenti tutti",
           "accetta e chiudi", "ho capito", "va bene così"),
    "nl": ("alles accepteren", "accepteren", "alle cookies accepteren", "akkoord", "alles toestaan", "ik ga akkoord",
           "cookies accepteren", "accepteer alles", "dat is oké"),
}

REJECT = {
    "en": ("reject all", "reject", "reject cookies", "reject all cookies", "decline", "decline all", "refuse all",
           "refuse", "deny", "deny all", "disagree", "i do not agree", "necessary only", "only necessary",
           "necessary cookies only", "only essential", "essential only", "use necessary cookies only",
           "only necessary cookies", "accept only essential cookies", "continue without accepting", "no, thanks",
           "i decline", "no thanks"),
    "fr": ("tout refuser", "refuser tout", "refuser", "je refuse", "refuser les cookies", "refuser tous les cookies",
           "continuer sans accepter", "uniquement les cookies nécessaires", "cookies nécessaires uniquement",
           "non merci", "refuser et fermer"),
    "de": ("alle ablehnen", "alles ablehnen", "ablehnen", "nur notwendige", "nur notwendige cookies",
           "nur notwendige cookies akzeptieren", "nur erforderliche", "nur erforderliche cookies",
           "nur essenzielle cookies akzeptieren", "nur essenzielle cookies", "nicht einverstanden", "ich lehne ab"),
    "es": ("rechazar todo", "rechazar todas", "rechazar", "rechazar cookies", "solo necesarias",
           "solo cookies necesarias", "continuar sin aceptar", "descartar todas"),
    "it": ("rifiuta tutto", "rifiuta tutti", "rifiuta", "solo necessari", "solo cookie necessari",
           "continua senza accettare", "rifiuta i cookie", "rifiuto"),
    "nl": ("alles weigeren", "weigeren", "alles afwijzen", "afwijzen", "alleen noodzakelijke",
           "alleen noodzakelijke cookies", "alleen functionele cookies", "doorgaan zonder accepteren", "ik weiger"),
}

# The way to a banner's second layer, and the buttons that close it with the choices made there.
SETTINGS = {
    "en": ("settings", "cookie settings", "cookies settings", "manage settings", "customize", "customise",
           "manage preferences", "manage cookies", "cookie preferences", "preferences", "more options", "options",
           "set preferences", "manage options", "show purposes", "learn more and customize", "let me choose"),
    "fr": ("paramétrer", "paramètres", "personnaliser", "gérer mes préférences", "gérer les cookies",
           "gérer mes choix", "personnaliser mes choix", "en savoir plus et personnaliser", "préférences",
           "laissez-moi choisir"),
    "de": ("einstellungen", "cookie-einstellungen", "anpassen", "individuelle einstellungen", "mehr optionen",
           "einstellungen verwalten", "details anzeigen", "lassen sie mich wählen"),
    "es": ("configurar", "personalizar", "configuración", "gestionar cookies", "más opciones", "quiero elegir"),
    "it": ("impostazioni", "personalizza", "gestisci preferenze", "più opzioni", "preferenze", "lasciatemi scegliere"),
    "nl": ("instellingen", "aanpassen", "voorkeuren", "cookie-instellingen", "meer opties", "laat me kiezen"),
}
SAVE = {
    "en": ("save", "save settings", "save preferences", "save choices", "save my choices", "save and close",
           "save & exit", "save and exit", "confirm choices", "confirm my choices", "confirm selection", "confirm",
           "accept selected", "allow selection", "accept selection", "submit"),
    "fr": ("enregistrer", "enregistrer mes choix", "enregistrer et fermer", "valider", "valider mes choix",
           "confirmer mes choix", "confirmer", "sauvegarder"),
    "de": ("speichern", "auswahl speichern", "einstellungen speichern", "auswahl bestätigen", "bestätigen",
           "auswahl erlauben", "speichern und schließen"),
    "es": ("guardar", "guardar configuración", "guardar preferencias", "confirmar", "confirmar mis preferencias"),
    "it": ("salva", "salva preferenze", "salva impostazioni", "conferma", "conferma scelte"),
    "nl": ("opslaan", "voorkeuren opslaan", "instellingen opslaan", "bevestigen", "keuze bevestigen"),
}

# The close control of a pop-up that covers a banner (a newsletter, a promotion, an app-install
# prompt): a visitor closes it before answering the banner. Matched whole, like the buttons above,
# on the control's text, aria-label or title; a lone cross (×, ✕, ✖) is a close control too.
CLOSE = {
    "en": ("close", "close this", "close dialog", "close popup", "close window", "close modal", "dismiss", "not now",
           "maybe later", "no, thank you", "no thank you", "skip", "continue to site", "continue to the website"),
    "fr": ("fermer", "fermer la fenêtre", "fermer la popup", "plus tard", "pas maintenant", "non, merci",
           "continuer vers le site"),
    "de": ("schließen", "schliessen", "fenster schließen", "dialog schließen", "später", "jetzt nicht",
           "nein danke", "nein, danke", "überspringen", "weiter zur website"),
    "es": ("cerrar", "cerrar ventana", "ahora no", "más tarde", "no, gracias", "no gracias", "omitir"),
    "it": ("chiudi", "chiudi finestra", "non ora", "più tardi", "no, grazie", "no grazie", "salta"),
    "nl": ("sluiten", "sluit", "venster sluiten", "niet nu", "later", "nee, bedankt", "nee bedankt", "overslaan"),
}

ROLES = {"accept": ACCEPT, "reject": REJECT, "settings": SETTINGS, "save": SAVE, "close": CLOSE}

# Words that make a container look like a consent banner (boosts candidates inside it).
BANNER_WORDS = (
    "cookie", "consent", "privacy", "gdpr", "rgpd", "dsgvo", "confidentialité", "données personnelles",
    "datenschutz", "privacidad", "riservatezza", "traceurs", "tracking", "partenaires", "partners",
)

# Words by which a box on screen speaks of cookies or consent, in every language of the curated
# lists: such a box (a dialog, or fixed on screen) is a consent banner seen.
COOKIE_WORDS = (
    "cookie", "consent", "gdpr", "consentement", "traceurs", "témoins", "rgpd", "einwilligung", "zustimmung",
    "dsgvo", "consentimiento", "consenso", "toestemming",
)
# ... and the words of a control that may reopen a consent choice: those, or privacy choices (a
# footer link that just says "Cookies", or "Your privacy choices", is tried).
CONSENT_WORDS = (
    *COOKIE_WORDS, "privacy choices", "privacy settings", "privacy preferences", "privacy options",
    "datenschutzeinstellungen", "datenschutz-einstellungen", "privatsphäre", "privacidad", "riservatezza",
    "privacyinstellingen", "privacy-instellingen",
)

# The paid alternative of a "pay or OK" wall (accept, or subscribe): a control on the banner whose
# text holds one of these (prices and plan names vary, so part of the text is enough).
PAY = (
    # en
    "subscribe", "subscription", "ad-free", "ad free", "without ads", "per month", "/month", "a month",
    # fr
    "abonner", "abonnez", "abonnement", "sans publicité", "sans pub", "par mois", "/mois",
    # de
    "abonnieren", "abonnement", "abo ", "-abo", "pur-abo", "pur abo", "werbefrei", "ohne werbung", "pro monat",
    "/monat", "im monat",
    # es
    "suscríbete", "suscribirse", "suscripción", "sin anuncios", "sin publicidad", "al mes", "/mes",
    # it
    "abbonati", "abbonamento", "senza pubblicità", "al mese", "/mese",
    # nl
    "abonneren", "abonnement", "zonder advertenties", "reclamevrij", "per maand", "/maand",
)

# Controls that reopen a consent choice once it is made (a footer link, a privacy-page button):
# matched as part of the normalised text (or aria-label, title) of a clickable element of at
# most 60 characters, so "Change your cookie settings" and "Cookie-Einstellungen ändern" match.
REOPEN = (
    # en
    "cookie settings", "cookies settings", "cookie preferences", "cookie consent", "manage cookies",
    "manage consent", "consent preferences", "consent settings", "privacy settings", "privacy preferences",
    "privacy choices", "withdraw consent", "withdraw my consent", "revoke consent", "change consent",
    # fr
    "paramètres des cookies", "paramètres cookies", "préférences cookies", "préférences de cookies",
    "gérer les cookies", "gérer mes cookies", "gestion des cookies", "paramétrer les cookies", "gérer mes choix",
    "gérer le consentement", "gestion du consentement", "retirer mon consentement", "modifier mes choix",
    # de
    "cookie-einstellungen", "cookie einstellungen", "cookies verwalten", "datenschutzeinstellungen",
    "datenschutz-einstellungen", "privatsphäre-einstellungen", "einwilligung widerrufen", "einwilligungen verwalten",
    "zustimmung widerrufen", "einwilligung ändern",
    # es
    "configuración de cookies", "configurar cookies", "preferencias de cookies", "gestionar cookies",
    "ajustes de cookies", "retirar el consentimiento", "retirar consentimiento",
    # it
    "impostazioni cookie", "impostazioni dei cookie", "preferenze cookie", "preferenze sui cookie",
    "gestisci cookie", "gestisci i cookie", "revoca il consenso", "revoca consenso",
    # nl
    "cookie-instellingen", "cookie instellingen", "cookievoorkeuren", "cookie-voorkeuren", "cookies beheren",
    "toestemming intrekken", "privacy-instellingen", "privacyinstellingen",
)

# What sites publish about their cookies (read by leakmap.declaration): the column headers of a
# cookie table ("Name", "Zweck", "Durée de conservation"), the words of a link to a cookie or
# privacy policy, and the words that name a purpose (a table's heading, a category column, a
# consent platform's category). Headers are matched whole (normalised); link texts and purposes
# contain one of these words or phrases. The first text of a language is the label leakmap shows
# in that language.
TABLE_COLUMNS = {
    "column-name": {
        "en": ("name", "cookie", "cookie name", "cookies", "name of the cookie", "identifier", "key"),
        "fr": ("nom", "nom du cookie", "cookie", "cookies", "traceur", "nom du traceur"),
        "de": ("name", "cookie-name", "cookie name", "cookie", "cookies", "bezeichnung"),
        "es": ("nombre", "nombre de la cookie", "cookie", "cookies"),
        "it": ("nome", "nome del cookie", "cookie"),
        "nl": ("naam", "cookienaam", "cookie", "cookies"),
    },
    "column-purpose": {
        "en": ("purpose", "description", "purpose of the cookie", "what it does", "function", "used for"),
        "fr": ("finalité", "description", "finalités", "objet", "utilité"),
        "de": ("zweck", "beschreibung", "verwendungszweck", "funktion"),
        "es": ("finalidad", "descripción", "propósito"),
        "it": ("finalità", "descrizione", "scopo"),
        "nl": ("doel", "beschrijving", "functie"),
    },
    "column-lifetime": {
        "en": ("lifetime", "expiry", "expiration", "duration", "expires", "retention", "retention period",
               "storage duration", "maximum storage duration"),
        "fr": ("durée de conservation", "durée", "expiration", "durée de vie", "conservation"),
        "de": ("speicherdauer", "laufzeit", "ablauf", "gültigkeit", "dauer", "verfallsdatum"),
        "es": ("duración", "caducidad", "expiración"),
        "it": ("durata", "scadenza"),
        "nl": ("bewaartermijn", "looptijd", "vervaldatum", "duur"),
    },
    "column-provider": {
        "en": ("provider", "set by", "domain", "host", "party", "vendor", "service", "source"),
        "fr": ("fournisseur", "émetteur", "domaine", "déposé par", "service"),
        "de": ("anbieter", "domain", "gesetzt von", "dienst", "herkunft"),
        "es": ("proveedor", "dominio", "servicio"),
        "it": ("fornitore", "dominio", "servizio"),
        "nl": ("aanbieder", "domein", "dienst", "partij"),
    },
    "column-type": {
        "en": ("type", "cookie type"),
        "fr": ("type",),
        "de": ("typ", "art"),
        "es": ("tipo",),
        "it": ("tipo",),
        "nl": ("soort",),
    },
    "column-category": {
        "en": ("category", "cookie category", "purpose category"),
        "fr": ("catégorie",),
        "de": ("kategorie",),
        "es": ("categoría",),
        "it": ("categoria",),
        "nl": ("categorie",),
    },
}
POLICY_LINKS = {
    "policy-link": {
        "en": ("cookie policy", "cookies policy", "cookie notice", "cookie statement", "cookies", "privacy policy",
               "privacy notice", "privacy", "data protection"),
        "fr": ("politique de cookies", "politique des cookies", "cookies", "politique de confidentialité",
               "confidentialité", "données personnelles", "vie privée", "mentions légales"),
        "de": ("cookie-richtlinie", "cookie-hinweise", "cookies", "datenschutzerklärung", "datenschutz"),
        "es": ("política de cookies", "cookies", "política de privacidad", "privacidad"),
        "it": ("cookie policy", "informativa sui cookie", "informativa privacy", "privacy"),
        "nl": ("cookiebeleid", "cookieverklaring", "cookies", "privacybeleid", "privacyverklaring", "privacy"),
    },
}
PURPOSES = {
    "purpose-necessary": {
        "en": ("strictly necessary", "necessary", "essential", "required", "technically necessary", "technical"),
        "fr": ("strictement nécessaires", "nécessaires", "nécessaire", "essentiels", "obligatoires", "techniques"),
        "de": ("notwendig", "notwendige", "unbedingt erforderlich", "erforderlich", "erforderliche", "essenziell",
               "essenzielle", "technisch notwendig", "technisch notwendige"),
        "es": ("estrictamente necesarias", "necesarias", "técnicas"),
        "it": ("strettamente necessari", "necessari", "tecnici"),
        "nl": ("strikt noodzakelijk", "noodzakelijk", "noodzakelijke"),
    },
    "purpose-functional": {
        "en": ("functional", "functionality", "preferences", "preference", "personalisation", "personalization"),
        "fr": ("fonctionnels", "fonctionnel", "préférences", "personnalisation"),
        "de": ("funktional", "funktionale", "präferenzen", "komfort"),
        "es": ("funcionales", "preferencias", "personalización"),
        "it": ("funzionali", "preferenze"),
        "nl": ("functioneel", "functionele", "voorkeuren"),
    },
    "purpose-analytics": {
        "en": ("analytics", "analytical", "statistics", "statistical", "performance", "audience measurement",
               "measurement"),
        "fr": ("mesure d'audience", "statistiques", "analytiques", "analyse", "performance"),
        "de": ("statistik", "statistiken", "analyse", "analytics", "reichweitenmessung", "leistung"),
        "es": ("analíticas", "estadísticas", "rendimiento"),
        "it": ("statistiche", "analitici", "prestazioni"),
        "nl": ("analytisch", "analytische", "statistieken", "prestatie"),
    },
    "purpose-advertising": {
        "en": ("advertising", "marketing", "targeting", "advertisement", "ads", "remarketing", "retargeting"),
        "fr": ("publicité", "publicitaires", "marketing", "ciblage", "régies publicitaires"),
        "de": ("werbung", "marketing", "targeting"),
        "es": ("publicidad", "publicitarias", "marketing"),
        "it": ("pubblicità", "pubblicitari", "marketing", "profilazione"),
        "nl": ("advertenties", "advertentie", "marketing"),
    },
    "purpose-social": {
        "en": ("social media", "social networks", "social"),
        "fr": ("réseaux sociaux",),
        "de": ("soziale medien", "soziale netzwerke"),
        "es": ("redes sociales",),
        "it": ("social network", "social media"),
        "nl": ("sociale media",),
    },
}

# Each group is matched in its own place (buttons, table headers, link texts, purpose texts): a text
# means one thing within its group, and may mean another in another group ("préférences" is a button
# and a purpose).
GROUPS = {"buttons": ROLES, "columns": TABLE_COLUMNS, "links": POLICY_LINKS, "purposes": PURPOSES}

"""Pools for invented demo data: names by origin, languages, streets and postal codes by district, Pflegekassen.

Every person is invented. Shares follow Dortmund's population roughly: most people of German origin, then
Turkish, Russian-speaking (many Russlanddeutsche with German surnames), Polish and Arabic.
"""

import unicodedata

from billing.identifiers import ik_check_digit

# origin: (share among volunteers, share among seniors, language, share of seniors who speak no German)
ORIGINS = {
    "de": (72, 70, "Deutsch", 0.0),
    "tr": (10, 12, "Türkisch", 0.3),
    "ru": (7, 8, "Russisch", 0.15),
    "pl": (6, 6, "Polnisch", 0.15),
    "ar": (5, 4, "Arabisch", 0.35),
}

FIRST_NAMES = {
    ("de", "w", "old"): "Hildegard Ursula Gisela Helga Ingrid Renate Brigitte Erika Christa Margarete Elfriede "
    "Waltraud Gertrud Irmgard Edith Anneliese Marianne Inge Hannelore Rosemarie Gudrun Lieselotte Ilse Ruth",
    ("de", "m", "old"): "Heinz Günter Horst Werner Manfred Dieter Klaus Wolfgang Gerhard Helmut Karl-Heinz "
    "Hans-Jürgen Rolf Siegfried Willi Friedhelm Alfred Kurt",
    ("de", "w", "young"): "Sabine Petra Andrea Claudia Susanne Birgit Martina Gabriele Angelika Barbara Stefanie "
    "Julia Anna Katrin Nicole Heike Ute Silke Bettina Karin Monika Christine Cornelia Dagmar Jutta Anja Lena "
    "Laura Sarah Annette Elke Doris Marion",
    ("de", "m", "young"): "Peter Jürgen Uwe Bernd Michael Thomas Frank Andreas Stefan Ralf Jan Lukas Markus "
    "Christian Matthias Jörg Detlef Reinhard",
    ("tr", "w", "old"): "Ayşe Fatma Emine Hatice Zeynep Hanife Şükran Gülsüm Melek Nuriye",
    ("tr", "m", "old"): "Mehmet Mustafa Ahmet Ali Hüseyin Hasan İbrahim Osman Ramazan",
    ("tr", "w", "young"): "Elif Zeynep Sevgi Hülya Gül Derya Aylin Emine Songül Filiz Canan",
    ("tr", "m", "young"): "Murat Yusuf Emre Serkan Kemal Cem Okan",
    ("ru", "w", "old"): "Olga Tatjana Ljudmila Galina Valentina Nina Lydia Antonina Maria",
    ("ru", "m", "old"): "Wladimir Viktor Nikolai Juri Iwan Jakob Peter",
    ("ru", "w", "young"): "Natalia Swetlana Irina Jelena Oksana Anna Julia Olga",
    ("ru", "m", "young"): "Sergej Alexander Dmitri Andrej Eduard Waldemar",
    ("pl", "w", "old"): "Krystyna Danuta Halina Irena Barbara Zofia Jadwiga Teresa",
    ("pl", "m", "old"): "Stanisław Jan Tadeusz Józef Zbigniew Henryk",
    ("pl", "w", "young"): "Agnieszka Katarzyna Małgorzata Ewa Joanna Magdalena Anna Monika",
    ("pl", "m", "young"): "Piotr Krzysztof Marek Tomasz Paweł Andrzej",
    ("ar", "w", "old"): "Fatima Amina Khadija Zainab Samira Hanan",
    ("ar", "m", "old"): "Mohammed Ahmad Mahmoud Hassan Ibrahim Abdullah",
    ("ar", "w", "young"): "Mariam Leila Rania Huda Nour Yasmin Dalia",
    ("ar", "m", "young"): "Omar Khaled Youssef Samir Tarek Karim",
}
FIRST_NAMES = {key: names.split() for key, names in FIRST_NAMES.items()}

LAST_NAMES = {
    "de": "Müller Schmidt Schneider Fischer Weber Meyer Wagner Becker Schulz Hoffmann Schäfer Koch Bauer Richter "
    "Klein Wolf Schröder Neumann Schwarz Zimmermann Braun Krüger Hartmann Lange Werner Krause Lehmann Schmitz "
    "Brinkmann Holtkamp Westermann Schulte Kötter Drees Hülsmann Overbeck Wiemann Große-Wilde Schürmann "
    "Rüther Vogt Tillmann Stratmann Kemper Hohmann Diekmann Frerich Lohmann",
    "tr": "Yılmaz Kaya Demir Şahin Çelik Yıldız Yıldırım Öztürk Aydın Özdemir Arslan Doğan Kılıç Aslan Koç Kurt",
    "ru": "Iwanow Petrow Smirnow Kusnezow Popow Wolkow Wiebe Friesen Janzen Dyck Penner Neufeld Klassen Schäfer",
    "pl": "Nowak Kowalski Wiśniewski Wójcik Kamiński Lewandowski Zieliński Szymański Woźniak Dąbrowski Mazur",
    "ar": "Al-Hassan Haddad Khalil Nasser Saleh Mansour Hamdan Aziz Ibrahim Yousef Darwish Haidar",
}
LAST_NAMES = {origin: names.split() for origin, names in LAST_NAMES.items()}


def last_name_for(origin: str, surname: str, gender: str) -> str:
    """Polish and Russian surnames take their female form for women (Kowalska, Iwanowa)."""
    if gender != "w":
        return surname
    if origin == "pl" and surname.endswith("ski"):
        return surname[:-1] + "a"
    if origin == "ru" and surname.endswith(("ow", "ew", "in")):
        return surname + "a"
    return surname


_ASCII = str.maketrans({"ä": "ae", "ö": "oe", "ü": "ue", "ß": "ss", "ı": "i", "ł": "l", "ş": "s", "ğ": "g"})


def mail_local_part(*parts: str) -> str:
    """'Jürgen', 'Große-Wilde' → 'juergen.grosse-wilde' (ASCII for an email address)."""
    text = ".".join(parts).lower().translate(_ASCII)
    text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    return "".join(c for c in text if c.isalnum() or c in ".-").replace(" ", "")


# district: "postal codes | streets" – streets of the district, house numbers are invented
STREETS = {
    "Innenstadt-West": "44135 44137 44139 44147 | Hohe Straße, Lindemannstraße, Kreuzstraße, Möllerstraße, "
    "Sonnenstraße, Rheinische Straße, Große Heimstraße",
    "Innenstadt-Nord": "44145 44147 | Münsterstraße, Mallinckrodtstraße, Schützenstraße, Oesterholzstraße, "
    "Borsigstraße, Nordmarkt, Bornstraße",
    "Innenstadt-Ost": "44135 44139 44141 | Kaiserstraße, Ruhrallee, Hainallee, Semerteichstraße, "
    "Düsseldorfer Straße, Landgrafenstraße",
    "Eving": "44339 | Evinger Straße, Deutsche Straße, Bergstraße, Preußische Straße, Kemminghauser Straße",
    "Scharnhorst": "44328 44329 | Gleiwitzstraße, Droote, Flughafenstraße, Buschei, Kirchderner Straße",
    "Brackel": "44309 44319 | Brackeler Hellweg, Flughafenstraße, Wickeder Hellweg, Oberdorfstraße, Asselner Hellweg",
    "Aplerbeck": "44263 44265 44267 44287 44289 | Aplerbecker Marktplatz, Köln-Berliner Straße, Ruinenstraße, "
    "Schweizer Allee, Sölder Kirchweg",
    "Hörde": "44263 44265 44269 | Hermannstraße, Faßstraße, Wellinghofer Straße, Benninghofer Straße, "
    "Alfred-Trappen-Straße",
    "Hombruch": "44225 44227 44229 | Harkortstraße, Kieferstraße, Eichlinghofer Straße, Stockumer Straße, "
    "Am Rombergpark",
    "Lütgendortmund": "44379 44388 | Limbecker Straße, Werner Straße, Provinzialstraße, Marten Hellweg, "
    "Bockenfelder Straße",
    "Huckarde": "44357 44369 | Urbanusstraße, Rahmer Straße, Parsevalstraße, Roßbachstraße, Huckarder Straße",
    "Mengede": "44357 44359 | Siegburgstraße, Williburgstraße, Waltroper Straße, Westerfilder Straße, Nettestraße",
}
STREETS = {
    district: (codes.split(), [street.strip() for street in streets.split(",")])
    for district, (codes, streets) in ((d, text.split("|")) for d, text in STREETS.items())
}

RELATIONS = {"w": ["Tochter", "Sohn", "Schwiegertochter", "Nichte", "Nachbarin"], "m": ["Sohn", "Tochter", "Enkel"]}

CARE_NOTES = [
    "Hört schlecht, bitte deutlich sprechen.",
    "Geht gern spazieren, braucht dabei den Rollator.",
    "Liest gern Zeitung vor, mag Gesellschaftsspiele.",
    "Hat eine Katze; Allergiker bitte vorher absprechen.",
    "Tochter kommt abends; Schlüssel beim Nachbarn.",
    "Freut sich über Gespräche über den BVB und früher im Bergbau.",
    "Braucht Begleitung zum Einkaufen (Wochenmarkt).",
    "Nachmittags oft müde, vormittags am besten.",
]

REQUEST_NOTES = [
    "Wünscht Begleitung beim Spaziergang.",
    "Angehörige brauchen Entlastung am Nachmittag.",
    "Vereinsamt seit dem Tod des Ehepartners.",
    "Hausärztin hat den Kontakt vermittelt.",
    "Gesellschaft und Vorlesen gewünscht.",
    None,
]

QUALIFICATION_PROVIDERS = ["FABIDO", "Diakonie", "Caritas", "AWO", "DRK"]

# name and eight leading digits of the IK; the ninth digit is computed (AOK NordWest is DOMAIN.md's example)
_KASSEN = [
    ("AOK NordWest – Pflegekasse", "26032682"),
    ("BARMER Pflegekasse", "10434051"),
    ("Techniker Krankenkasse – Pflegekasse", "10165621"),
    ("DAK-Gesundheit Pflegekasse", "10526733"),
    ("IKK classic Pflegekasse", "10170047"),
    ("KNAPPSCHAFT Pflegekasse", "10990120"),
]
PFLEGEKASSEN = [(name, prefix + str(ik_check_digit(prefix))) for name, prefix in _KASSEN]
KASSEN_SHARES = [38, 18, 16, 11, 7, 10]  # AOK first, KNAPPSCHAFT strong in the Ruhr area

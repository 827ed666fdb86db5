"""The steps of a solve that a caller hears of (German: the app shows them while a run computes), in order."""

STEPS = (
    "Mögliche Paare und ein erster Vorschlag",
    "Regel 1: möglichst viele Anfragen vermitteln",
    "Regel 2: dringende und lange wartende Anfragen zuerst",
    "Regel 3: kurze Wege, Sprache, gleichmäßige Verteilung",
    "Stundenpläne und Begründungen",
)

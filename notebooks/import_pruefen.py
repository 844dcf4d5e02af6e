# ---
# jupyter:
#   jupytext:
#     formats: ipynb,py:percent
#     text_representation:
#       extension: .py
#       format_name: percent
#       format_version: '1.3'
#       jupytext_version: 1.19.6
#   kernelspec:
#     display_name: Python 3 (ipykernel)
#     language: python
#     name: python3
# ---

# %% [markdown]
# # Adressliste vor dem Import prüfen
#
# Wer eine alte Adressliste ungeprüft importiert, erntet eine Welle von Hardbounces und
# schadet dem Ruf des Absenders. Dieses Notebook prüft jede Adresse: Aufbau (Syntax),
# Tippfehler in der Domain, ob die Domain Mail empfangen kann (DNS: MX-Eintrag), Wegwerf- und
# Funktionsadressen, Dubletten und – wenn ein Sperrlisten-Ordner angegeben ist – gesperrte
# Adressen. Es schreibt drei Dateien nach `out_dir`: `results.csv` (jede Zeile mit Ergebnis),
# `clean.csv` (bereit für den Import) und `held_back.csv` (zurückgehaltene Adressen mit Grund).
#
# ### So benutzen Sie dieses Notebook
#
# 1. In der nächsten Zelle die Adressliste eintragen, z. B.
#    `input_file = r"C:\Users\anna\neue-kontakte.csv"` (leer: die Beispielliste).
# 2. **Ausführen → Alle Zellen ausführen** wählen.
# 3. Die Tabellen lassen sich sortieren, durchsuchen und als CSV für Excel herunterladen.
#
# Antwortet der DNS-Server nicht oder falsch, steht oben eine Warnung, und kein DNS-Urteil
# wird gefällt – eine gestörte Namensauflösung sieht so nie wie ungültige Adressen aus.
# Der Code ist eingeklappt; ein Klick auf die Zelle zeigt ihn.

# %% tags=["parameters"]
input_file = ""  # CSV-Datei mit Adressen, z. B. r"C:\Users\anna\kontakte.csv" (leer: Beispiel)
column = ""  # Name der Adressspalte (leer: wird erkannt, z. B. „E-Mail“)
nameserver = ""  # DNS-Server als HOST:PORT (leer: DNS-Server des Systems)
suppression_state = ""  # Ordner der Sperrliste, z. B. r"C:\Daten\sperrliste" (leer: ohne Abgleich)
out_dir = ""  # Ausgabeordner (leer: reports/adresspruefung im Projekt)
include_risky = False  # True: riskante Adressen (Funktions-, Wegwerfadressen …) mit importieren
apply_suggestions = False  # True: Tippfehler-Vorschläge in die Importdatei übernehmen
dns = True  # False: keine DNS-Prüfung (nur Syntax, Tippfehler und Listen)
timeout = 3.0  # Sekunden pro DNS-Abfrage

# %% jupyter={"source_hidden": true}
from pathlib import Path

from IPython.display import HTML, Markdown, display

from deliverability import config
from deliverability.report import charts
from deliverability.validate.job import validate_file
from deliverability.views import validation as view
from deliverability.views.notebook import show_table, start
from deliverability.views.notices import warning_html
from deliverability.views.tables import to_html

start()
source = Path(input_file) if input_file else config.sample_address_list()
run = validate_file(
    source,
    Path(out_dir) if out_dir else config.REPORTS_DIR / "adresspruefung",
    column=column or None,
    nameserver=nameserver or None,
    suppression_state=suppression_state or None,
    include_risky=include_risky,
    apply_suggestions=apply_suggestions,
    dns=dns,
    timeout=timeout,
)
display(Markdown(f"## Ergebnis für `{source.name}`"))
display(HTML(warning_html(run.dns_warning())))  # only when the DNS server fails or lies
display(HTML(to_html(view.key_figures(run))))

# %% [markdown]
# ## Was bedeuten die Ergebnisse?
#
# - **in Ordnung**: Aufbau stimmt, die Domain nimmt Mail an. Die Adresse kommt in die
#   Importdatei. Ob das Postfach selbst existiert, weiß man erst nach dem ersten Versand.
# - **riskant**: zustellbar, aber mit Vorbehalt – Funktionsadressen (info@, noreply@) lesen
#   oft viele oder niemand, Wegwerf-Adressen verfallen, Tippfehler-Domains treffen meist
#   niemanden. Standardmäßig zurückgehalten; mit `include_risky = True` importiert.
# - **ungültig**: Diese Adresse kann keine Mail empfangen (falscher Aufbau, Domain existiert
#   nicht oder nimmt keine Mail an), steht doppelt in der Liste oder ist gesperrt.
# - **unklar (DNS)**: Die DNS-Abfrage lief in eine Zeitüberschreitung oder einen Serverfehler.
#   Das sagt nichts gegen die Adresse – sie wird nie als ungültig verworfen. Prüfen Sie diese
#   Adressen später noch einmal.
# - **nicht per DNS geprüft**: Vor der Prüfung wird der DNS-Server selbst gefragt (nach
#   gmail.com, gmx.de, web.de, t-online.de und einem erfundenen Namen). Antwortet er nicht oder
#   falsch – in gesperrten Firmennetzen sagt er oft zu jeder Domain „existiert nicht“ –, sind
#   alle DNS-Ergebnisse „unklar“ und oben steht eine Warnung; sonst sähen gute Adressen
#   ungültig aus.

# %% jupyter={"source_hidden": true}
show_table(view.reasons(run.results), "gruende")

# %% [markdown]
# ## Nach Anbietern
#
# Große Anbieter (GMX, WEB.DE, T-Online, Gmail, Outlook …) haben eigene Filter und
# Grenzen; ein hoher Anteil bei einem Anbieter bestimmt, wie vorsichtig der erste Versand
# sein muss.

# %% jupyter={"source_hidden": true}
chart = view.provider_chart(run.results)
display(HTML(charts.to_img_tag(chart, "Adressen nach Anbieter und Ergebnis der Prüfung")))
show_table(view.providers_table(run.results), "anbieter")

# %% [markdown]
# ## Korrekturvorschläge
#
# Sieht eine Domain aus wie ein verschriebener bekannter Anbieter (`gmial.com` statt
# `gmail.com`), steht hier ein Vorschlag. Er wird nie stillschweigend übernommen: nur mit
# `apply_suggestions = True`, und dann bleibt die ursprüngliche Adresse in einer eigenen Spalte
# erhalten. Im Zweifel beim Kontakt nachfragen.

# %% jupyter={"source_hidden": true}
fixes = view.suggestions(run)
if fixes.empty:
    display(Markdown("Keine Tippfehler-Domains gefunden."))
else:
    show_table(fixes, "korrekturvorschlaege")

# %% [markdown]
# ## Zurückgehaltene Adressen
#
# Alle Adressen, die nicht in die Importdatei kommen, mit der Zeile der Eingabedatei; dieselbe
# Liste steht in `held_back.csv`.

# %% jupyter={"source_hidden": true}
held = view.held_back(run, include_risky, limit=None)
if held.empty:
    display(Markdown("Keine Adresse wurde zurückgehalten."))
else:
    show_table(held, "zurueckgehalten")

# %% [markdown]
# ## Dateien

# %% jupyter={"source_hidden": true}
files = run.files
display(
    Markdown(
        f"- Alle Zeilen mit Ergebnis: `{files.results}`\n"
        f"- Importdatei: `{files.clean}` ({files.clean_rows} Zeilen)\n"
        f"- Zurückgehalten: `{files.held_back}` ({files.held_back_rows} Zeilen)"
    )
)

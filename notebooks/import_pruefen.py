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

# %% tags=["parameters"]
input_file: str = ""  # CSV-Datei mit Adressen (leer: Beispielliste aus data/sample)
column: str = ""  # Name der Adressspalte (leer: wird erkannt, z. B. „E-Mail“)
nameserver: str = ""  # DNS-Server als HOST:PORT (leer: DNS-Server des Systems)
suppression_state: str = ""  # Ordner der Sperrliste (leer: ohne Abgleich)
out_dir: str = ""  # Ausgabeordner (leer: reports/adresspruefung im Projekt)
include_risky: bool = False  # riskante Adressen (Funktions-, Wegwerfadressen …) mit importieren
apply_suggestions: bool = False  # Tippfehler-Vorschläge in die Importdatei übernehmen
dns: bool = True  # DNS-Prüfung (aus: nur Syntax, Tippfehler und Listen)
timeout: float = 3.0  # Sekunden pro DNS-Abfrage

# %%
from pathlib import Path

from IPython.display import HTML, Markdown, display

from deliverability import config
from deliverability.report import charts
from deliverability.validate.job import validate_file
from deliverability.views import validation as view
from deliverability.views.notices import warning_html
from deliverability.views.tables import to_html

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

# %%
display(HTML(to_html(view.reasons(run.results))))

# %% [markdown]
# ## Nach Anbietern
#
# Große Anbieter (GMX, WEB.DE, T-Online, Gmail, Outlook …) haben eigene Filter und
# Grenzen; ein hoher Anteil bei einem Anbieter bestimmt, wie vorsichtig der erste Versand
# sein muss.

# %%
chart = view.provider_chart(run.results)
display(HTML(charts.to_img_tag(chart, "Adressen nach Anbieter und Ergebnis der Prüfung")))
display(HTML(to_html(view.providers_table(run.results))))

# %% [markdown]
# ## Korrekturvorschläge
#
# Sieht eine Domain aus wie ein verschriebener bekannter Anbieter (`gmial.com` statt
# `gmail.com`), steht hier ein Vorschlag. Er wird nie stillschweigend übernommen: nur mit
# `apply_suggestions = True`, und dann bleibt die ursprüngliche Adresse in einer eigenen Spalte
# erhalten. Im Zweifel beim Kontakt nachfragen.

# %%
fixes = view.suggestions(run)
if fixes.empty:
    display(Markdown("Keine Tippfehler-Domains gefunden."))
else:
    display(HTML(to_html(fixes)))

# %% [markdown]
# ## Zurückgehaltene Adressen
#
# Die ersten 50 Adressen, die nicht in die Importdatei kommen, mit der Zeile der
# Eingabedatei. Die vollständige Liste steht in `held_back.csv`.

# %%
held = view.held_back(run, include_risky)
if held.empty:
    display(Markdown("Keine Adresse wurde zurückgehalten."))
else:
    display(HTML(to_html(held)))

# %% [markdown]
# ## Dateien

# %%
files = run.files
display(
    Markdown(
        f"- Alle Zeilen mit Ergebnis: `{files.results}`\n"
        f"- Importdatei: `{files.clean}` ({files.clean_rows} Zeilen)\n"
        f"- Zurückgehalten: `{files.held_back}` ({files.held_back_rows} Zeilen)"
    )
)

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

# %% [markdown] tags=["remove_cell"]
# # Wochenbericht Zustellbarkeit
#
# Dieses Notebook wird jede Woche von `deliverability report` mit papermill ausgeführt und
# ohne Code als HTML-Datei gespeichert. Alle Berechnungen stecken im Paket `deliverability`;
# hier stehen nur die Parameter und die Darstellung.

# %% [markdown] tags=["remove_cell"]
# ### So benutzen Sie dieses Notebook
#
# 1. In der nächsten Zelle die Exporte und die Woche eintragen (leer: Beispieldaten, letzte
#    Woche); Pfade unter Windows als `r"C:\Users\anna\Exporte"`, mehrere mit `;` getrennt.
# 2. **Ausführen → Alle Zellen ausführen** wählen. Die Dateien des Berichts landen unter
#    `reports/` im Projekt.
# 3. Die Tabellen lassen sich sortieren, durchsuchen und als CSV für Excel herunterladen. Die
#    Zeitverläufe zeigen die Werte, wenn die Maus darüber steht; am Ende lassen sich alle
#    gescheiterten Mails nach Woche, Anbieter, Domain, Absender und Empfänger erkunden.
#
# Was Sie hier ändern und speichern, ändert den geplanten Bericht nicht: `deliverability
# report` führt eine mitgelieferte Kopie dieses Notebooks aus. Schwellen stehen in
# `deliverability.toml`.

# %% tags=["parameters"]
inputs = ""  # Exporte (CSV, JSON, Logs, .msg, .gz): Datei, Ordner, mehrere mit ; (leer: Beispiel)
week: str = ""  # Kalenderwoche wie 2026-W47 oder KW 47/2026 (leer: letzte Woche in den Daten)
out_dir: str = ""  # Ausgabeordner (leer: reports/ im Projekt)
timezone: str = "Europe/Berlin"  # Zeitzone für Wochen, Tage und Zeitangaben ohne Zone
state_dir: str = ""  # Ordner der Sperrliste (leer: nur aus den Eingabedateien)
rules_file: str = ""  # eigene Regeln (CSV mit reason, pattern), gehen vor (leer: keine)
settings_file: str = ""  # Einstellungen: Schwellen, Sperrregeln (leer: deliverability.toml)
policy_change: bool = False  # neue Sperrregeln für die Sperrliste bewusst übernehmen
manifest_file: str = ""  # für den geplanten Lauf: wohin die Eckdaten des Laufs geschrieben werden
workbook_tables: str = ""  # für den geplanten Lauf: wohin die Tabellen der Arbeitsmappe gehen

# %% jupyter={"source_hidden": true}
import polars as pl
from IPython.display import HTML, Markdown, display

from deliverability import config
from deliverability.classify.rules import activate_rules
from deliverability.classify.user_rules import rules_with
from deliverability.report import charts, hover_charts, weekly
from deliverability.report.findings import as_markdown
from deliverability.settings import load_settings
from deliverability.views import format as fmt
from deliverability.views import tables
from deliverability.views.notebook import (
    drill_down,
    input_paths,
    interactive,
    show_table,
    start,
    threshold_table,
)

start()
activate_rules(rules_with(rules_file))
report = weekly.build_weekly_report(
    input_paths(inputs),
    week or None,
    timezone=timezone,
    settings=load_settings(settings_file or None),
    state_dir=state_dir or None,
    accept_policy_change=policy_change,
)
written = weekly.write_outputs(report, out_dir or config.REPORTS_DIR, workbook_tables or None)
if manifest_file:
    weekly.write_manifest(report, written, manifest_file)
display(Markdown(f"# {report.title}"))

# %% [markdown]
# ## Kennzahlen der Woche
#
# Gezählt werden Mails (Nachricht × Empfänger), nicht Ereignisse: Eine Mail, die dreimal
# zurückgestellt und dann zugestellt wurde, zählt einmal als zugestellt. Jede Mail gehört zu
# der Woche, in der sie versendet wurde. Veränderungen von Raten stehen in Prozentpunkten
# (Pp.), dem Abstand zweier Prozentwerte: von 7,2 % auf 1,6 % sind −5,6 Pp.

# %% jupyter={"source_hidden": true}
display(HTML(tables.to_html(weekly.key_figures_table(report))))

# %% [markdown]
# ## Was Aufmerksamkeit braucht

# %% jupyter={"source_hidden": true}
items = weekly.findings(report)
where = (
    f"[{weekly.AFFECTED_FILE}]({weekly.AFFECTED_FILE}) und im Blatt „Betroffene Adressen“ der "
    "Arbeitsmappe"
)
if not items:
    display(Markdown("In dieser Woche gibt es nichts, das Aufmerksamkeit braucht."))
for item in items:
    display(Markdown(as_markdown(item, where)))

# %% [markdown]
# ## Die letzten zwölf Wochen
#
# Versendete Mails, Bounce-Rate und Beschwerderate je Anbieter, Woche für Woche: die sechs
# Anbieter mit den meisten Mails in der Grafik, alle in der Tabelle (Bounce-Rate) und im Blatt
# „Trend“ der Arbeitsmappe. Die Wochen stammen aus den Eingabedateien; mit einem Ordner für die
# Sperrliste (`--state`) merkt sich der Bericht die Wochenwerte dort, und der Trend reicht über
# die Eingabedateien hinaus. Wochen ohne Daten bleiben leer.

# %% jupyter={"source_hidden": true}
hover_charts.show(
    lambda: charts.trend_chart(report),
    lambda: hover_charts.trend(report),
    "Die letzten zwölf Wochen je Anbieter",
)
show_table(weekly.trend_table(report), "trend")

# %% [markdown]
# ## Versand und Bounces pro Tag
#
# Die Tage der Berichtswoche und, heller, die der Woche davor.

# %% jupyter={"source_hidden": true}
hover_charts.show(
    lambda: charts.daily_volume(report),
    lambda: hover_charts.daily_volume(report),
    "Versand und Bounce-Rate pro Tag",
)

# %% [markdown]
# ## Anbieter
#
# Die Bounce-Rate steht mit ihrem 95-%-Intervall (Wilson): Bei wenigen Mails ist das Intervall
# breit, und die Rangfolge richtet sich nach seiner Untergrenze. So steht eine Domain mit 1 von
# 3 Mails nicht vor einer mit 3.000 von 30.000.

# %% jupyter={"source_hidden": true}
display(HTML(charts.to_img_tag(charts.provider_rates(report), "Bounce-Rate nach Anbieter")))
show_table(weekly.provider_table(report), "anbieter")

# %% [markdown]
# ## Domains mit erhöhter Bounce-Rate
#
# Domains, deren Bounce-Rate auch an der Untergrenze des 95-%-Intervalls über der
# Warnschwelle liegt. Im Notebook lässt sich die Schwelle mit dem Regler verschieben; das
# ändert nur diese Ansicht, nicht die gespeicherte Schwelle in `deliverability.toml`.

# %% jupyter={"source_hidden": true}
threshold_table(
    lambda warn: weekly.domain_table(report, limit=None, threshold=warn),
    "domains",
    label="Warnschwelle Bounce-Rate",
    value=report.thresholds.hard_bounce_warn,
    low=0.005,
    high=0.2,
    step=0.005,
    empty="Keine Domain liegt über der Warnschwelle.",
    report_rows=weekly.DOMAINS_SHOWN,
    more="… und {} weitere Domains über der Warnschwelle; alle zeigt das Notebook "
    "`wochenbericht` mit dem Regler.",
)

# %% [markdown]
# ## Versandlimits
#
# Jeder Versanddienst begrenzt, wie viele Mails ein Konto pro Tag, Stunde oder Minute senden darf
# (z. B. Zendesk Sell: 300 Mails je Benutzer in gleitenden 24 Stunden). Hier steht, an welchen
# Tagen ein Absender laut dem Limitprofil seines Versandwegs darüber lag, und wie viele
# Limitfehler das System selbst gemeldet hat. Abgelehnte Mails haben den Empfänger nie
# erreicht: Sie müssen erneut gesendet werden. Einen Versandplan, der kein Limit verletzt, rechnet
# `deliverability replay --mode plan` aus; Details im Notebook `sendelimits`.

# %% jupyter={"source_hidden": true}
incidents = weekly.limit_incidents_table(report)
if incidents.empty:
    display(Markdown("In dieser Woche lag kein Absender über den Limits seines Versandwegs."))
else:
    display(HTML(tables.to_html(incidents)))

# %% [markdown]
# ## Versendet ist nicht zugestellt
#
# Zugestellt heißt: Der Server des Empfängers hat die Mail angenommen. Mails ohne Ergebnis
# hängen noch in Wiederholungen – hängt eine ganze Domain, ist meist deren Server gestört.
# Liegt bei einem Anbieter der Anteil geöffneter Mails weit unter dem Schnitt, landen sie dort
# vermutlich im Spamordner. Ausführlich, mit SPF/DKIM/DMARC-Prüfung: Notebook `zustellung`.

# %% jupyter={"source_hidden": true}
from deliverability.funnel.engagement import accepted_not_seen
from deliverability.funnel.funnel import funnel
from deliverability.views import funnel as delivery

week_messages = weekly.week_messages(report)
display(
    HTML(
        tables.to_html(
            delivery.funnel_table(funnel(week_messages, ["provider"]), "provider", "Anbieter")
        )
    )
)
pending = weekly.pending_domains(report)
if not pending.is_empty():
    display(HTML(tables.to_html(delivery.stuck_table(pending.head(weekly.PENDING_SHOWN)))))
if pending.height > weekly.PENDING_SHOWN:
    more = pending.height - weekly.PENDING_SHOWN
    display(
        Markdown(
            f"… und {fmt.number(more)} weitere Domains mit Mails ohne Ergebnis; alle stehen im "
            "Blatt „Ohne Ergebnis“ der Arbeitsmappe `wochenbericht.xlsx`."
        )
    )
flagged = accepted_not_seen(week_messages, min_delivered=50).filter(pl.col("flag"))
if flagged.is_empty():
    display(Markdown("Bei keinem Anbieter werden zugestellte Mails auffällig selten geöffnet."))
else:
    display(HTML(tables.to_html(delivery.engagement_table(flagged))))

# %% [markdown]
# ## Gründe der gescheiterten Mails

# %% jupyter={"source_hidden": true}
display(HTML(charts.to_img_tag(charts.reasons_chart(report), "Gründe der gescheiterten Mails")))
show_table(weekly.reasons_table(report), "gruende")
for label, count, what, meaning, action in weekly.reason_explanations(report):
    display(
        Markdown(
            f"### {label} ({fmt.number(count)} Mails)\n\n"
            f"**Was ist passiert?** {what}\n\n"
            f"**Was bedeutet das?** {meaning}\n\n"
            f"**Was können Sie tun?** {action}"
        )
    )

# %% [markdown]
# ## Neue Sperrungen
#
# Gesperrt wird bei einem Hardbounce, der die Adresse selbst betrifft, nach fünf
# Softbounces in Folge ohne Zustellung dazwischen, bei einer Beschwerde und bei einer
# Abmeldung. Blockaden Ihres Versands (Sperrlisten, Reputation, Spamfilter) sperren keine
# gültige Adresse.

# %% jupyter={"source_hidden": true}
new = weekly.new_suppressions_table(report)
new_count = report.new_suppressions.height
shown = f" Die {fmt.number(len(new))} jüngsten:" if len(new) < new_count else ""
display(
    Markdown(
        f"In {fmt.week_title(report.week, report.timezone)} wurden **{fmt.number(new_count)}** "
        f"Adressen neu gesperrt; am Ende der Woche enthält die Sperrliste insgesamt "
        f"**{fmt.number(report.suppressions.height)}** Adressen. Datei: `{written['sperrliste'].name}`."
        + shown
    )
)
if not new.empty:
    show_table(new, "neue-sperrungen")

# %% [markdown] tags=["remove_cell"]
# ## Gescheiterte Mails erkunden
#
# Jede Mail aller Wochen in den Daten, die nicht zugestellt wurde oder eine Beschwerde
# bekam, mit der vollständigen Antwort des Servers; die jüngsten zuerst. Wählen Sie eine
# Woche, einen Anbieter, eine Domain, einen Absender oder einen Empfänger: Die Tabelle und
# die Listen rechts davon zeigen dann nur noch diese Mails. (Nur im Notebook; der geplante
# Bericht zeigt diesen Abschnitt nicht.)

# %% jupyter={"source_hidden": true} tags=["remove_cell"]
if interactive():  # the scheduled report leaves this section out: nothing to compute there
    drill_down(
        weekly.failed_mails_table(report),
        ["Woche", "Anbieter", "Domain", "Absender", "Empfänger"],
        "gescheiterte-mails",
    )

# %% [markdown]
# ## Eingelesene Dateien
#
# Jede Zeile der Eingabedateien wurde entweder geladen oder mit Grund abgelehnt.

# %% jupyter={"source_hidden": true}
display(HTML(tables.to_html(weekly.load_table(report))))
rejected = weekly.rejects_table(report)
if not rejected.empty:
    display(
        Markdown(
            f"**{fmt.number(len(rejected))} Zeilen** konnten nicht verwendet werden; sie stehen mit "
            f"Grund in `{written['abgelehnt'].name}`:"
        )
    )
    show_table(rejected, "abgelehnte-zeilen")

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
# # Versandlimits: nachspielen und planen
#
# Jeder Versanddienst begrenzt, wie viele Mails ein Konto senden darf – pro Tag, pro Stunde, pro
# Minute, auf einmal. Dieses Notebook spielt echte Sendungen gegen ein Limitprofil nach
# (`mode = "replay"`: was wäre pünktlich, verzögert, abgelehnt oder wegen eines gesperrten
# Kontos nicht versendet worden?) oder plant einen Versand, der kein Limit verletzt
# (`mode = "plan"`). Derselbe Versand wird mit weiteren Profilen verglichen.
#
# ### So benutzen Sie dieses Notebook
#
# 1. In der nächsten Zelle die Exporte oder Sendungsdateien und das Limitprofil eintragen
#    (leer: Beispieldaten mit dem Profil `zendesk-sell`); Pfade unter Windows als
#    `r"C:\Users\anna\sendungen.csv"`.
# 2. **Ausführen → Alle Zellen ausführen** wählen.
# 3. Die Tabellen lassen sich sortieren, durchsuchen und als CSV für Excel herunterladen.
#
# Der Code ist eingeklappt; ein Klick auf die Zelle zeigt ihn. Das Notebook schreibt nur unter
# `reports/`.

# %% tags=["parameters"]
# Ereignisexporte oder Sendungs-CSVs: eine Datei oder ein Ordner, mehrere mit ; getrennt,
# z. B. r"C:\Users\anna\sendungen.csv" (leer: Beispieldaten)
inputs = ""
profile: str = "zendesk-sell"  # Vorlage (deliverability profiles) oder eigene TOML-Datei
# Vergleichsprofile (Vorlagen oder TOML-Dateien), mit Komma getrennt
compare = "zendesk-sell-max, google-workspace, microsoft-365"
mode: str = "replay"  # replay: nachspielen; plan: frühesten Versand planen
start: str = ""  # frühester Versand für plan, z. B. 24.11.2026 08:00 (leer: ab jetzt)
source: str = "zendesk_sell"  # nur Ereignisse dieser Quelle (leer: alle)
sender: str = ""  # nur dieser Absender (leer: alle, jeder für sich)
day: str = ""  # Tag für die Stundengrafiken, z. B. 19.11.2026 (leer: der auffälligste Tag)
out_dir: str = ""  # Ordner für sendelimits.csv und sendelimits_tage.csv (leer: reports/sendelimits)

# %% jupyter={"source_hidden": true}
from datetime import datetime
from pathlib import Path

import polars as pl
from IPython.display import HTML, Markdown, display

from deliverability import config
from deliverability.export import write_csv
from deliverability.limits.profile import load_profile
from deliverability.limits.replay import replay, result_csv
from deliverability.limits.sends import load_sends, parse_start, plan_start
from deliverability.report import charts
from deliverability.views import format as fmt
from deliverability.views import limit_charts
from deliverability.views import limits as summary
from deliverability.views.notebook import input_paths, words
from deliverability.views.notebook import start as start_notebook
from deliverability.views.tables import german_table, integer, text, to_html

start_notebook()

main = load_profile(profile)
paths = [Path(p) for p in input_paths(inputs)] or config.sample_inputs()
sends = load_sends(
    paths,
    main.timezone,
    need_time=mode == "replay",
    sender=sender or None,
    source=source or None,
)
frame = sends.frame
begin = plan_start(start, main.timezone) if mode == "plan" else parse_start(start, main.timezone)
result = replay(frame, main, mode=mode, start=begin)
others = [replay(frame, load_profile(name), mode=mode, start=begin) for name in words(compare)]
display(Markdown(f"## {fmt.number(frame.height)} Sendungen mit „{main.name}“"))
display(
    HTML(
        to_html(
            german_table(
                pl.DataFrame(
                    {
                        "Ergebnis": ["pünktlich", "verzögert", "abgelehnt", "Konto gesperrt"],
                        "Mails": [
                            result.count(o) for o in ("sent", "delayed", "rejected", "blocked")
                        ],
                    }
                ),
                [("Ergebnis", "Ergebnis", text), ("Mails", "Mails", integer)],
            )
        )
    )
)
if mode == "plan":
    display(Markdown(summary.plan_text(result, begin)))

# %% [markdown]
# ## Die Regeln des Profils
#
# *gleitend*: höchstens so viele Mails in jedem Zeitraum dieser Länge; *Kalender*: in festen
# Zeiträumen (Stunde, Tag ab Mitternacht in der Zeitzone des Profils). Was bei Überschreitung
# passiert: verzögert (die Mail wartet), pausiert bis zum nächsten Zeitraum, abgelehnt (die Mail
# geht nie hinaus) oder Konto gesperrt (jede Mail in der Sperrzeit scheitert). Werte mit
# „Annahme“ sind nicht belegt.

# %% jupyter={"source_hidden": true}
rules = pl.DataFrame(
    {
        "Regel": [r.label for r in main.rules],
        "bei Überschreitung": [r.action_text for r in main.rules],
        "Beleg": [("Annahme – " if r.assumption else "") + r.source for r in main.rules],
    }
)
display(HTML(to_html(rules.to_pandas())))

# %% [markdown]
# ## Tage mit Verzögerungen, Ablehnungen oder Sperren

# %% jupyter={"source_hidden": true}
days = summary.by_day(result).filter(pl.col("delayed") + pl.col("rejected") + pl.col("blocked") > 0)
if days.is_empty():
    display(Markdown("An keinem Tag hätte das Profil eine Mail aufgehalten."))
else:
    display(
        HTML(
            to_html(
                german_table(
                    days,
                    [
                        ("day", "Tag", fmt.day),
                        ("requested", "angefordert", integer),
                        ("sent", "pünktlich", integer),
                        ("delayed", "verzögert", integer),
                        ("rejected", "abgelehnt", integer),
                        ("blocked", "Konto gesperrt", integer),
                        (
                            "max_delay_s",
                            "längste Verzögerung",
                            lambda s: summary.duration(s) if s else "–",
                        ),
                        ("rules", "Regel", text),
                    ],
                )
            )
        )
    )

# %% [markdown]
# ## Versand pro Stunde
#
# Links die angeforderten Mails, rechts was tatsächlich hinausging; gestrichelt die
# Stundenlimits des Profils. Darunter: wie viele Mails am Ende jeder Stunde noch warten und
# wie lange die längste gewartet hat.

# %% jupyter={"source_hidden": true}
zoom = datetime.strptime(day, "%d.%m.%Y").date() if day else limit_charts.busiest_day(result)
if mode == "plan":
    zoom = None
display(HTML(charts.to_img_tag(limit_charts.hourly_chart(result, zoom), "Versand pro Stunde")))
display(HTML(charts.to_img_tag(limit_charts.queue_chart(result, zoom), "Warteschlange")))

# %% [markdown]
# ## Andere Profile für dieselben Sendungen

# %% jupyter={"source_hidden": true}
display(HTML(to_html(limit_charts.comparison([result, *others]))))
for sentence in limit_charts.comparison_sentences(result, others):
    display(Markdown(f"- {sentence}"))

# %% [markdown]
# ## Was kann ich tun?
#
# - **Große Aussendungen nicht aus dem CRM-Postfach**: Ein Newsletter-System (ESP) ist für
#   Tausende Mails gebaut; ein persönliches Postfach nicht.
# - **Verteilen statt auf einmal**: Wer gleichmäßig sendet, bleibt unter allen Limits
#   (`mode = "plan"` rechnet den Plan und eine gleichmäßige Rate aus).
# - **Limit erhöhen lassen**, wo der Anbieter es erlaubt (z. B. Zendesk Sell bis 1.000 pro Tag
#   auf Anfrage) – aber nur, wenn der Mailserver dahinter das auch trägt.
# - **Abgelehnte Mails erneut senden**: Sie haben den Empfänger nie erreicht.

# %% jupyter={"source_hidden": true}
target = Path(out_dir) if out_dir else config.REPORTS_DIR / "sendelimits"
write_csv(result_csv(result), target / "sendelimits.csv")
write_csv(summary.by_day(result), target / "sendelimits_tage.csv")
display(
    Markdown(
        f"Je Sendung: `{target / 'sendelimits.csv'}` · je Tag: `{target / 'sendelimits_tage.csv'}`"
    )
)

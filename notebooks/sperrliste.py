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
# # Sperrliste
#
# Wer darf nicht mehr angeschrieben werden, und warum? Dieses Notebook schreibt die Sperrliste
# im Ordner `state_dir` mit den Ereignisdateien fort und zeigt, was in der Woche dazukam,
# was von weich zu hart eskaliert ist, wer unter Beobachtung steht und was freigegeben wurde.
# Die Exporte für die Zielsysteme schreibt der geplante Lauf (papermill) als Dateien nach `out_dir`.
#
# ### So benutzen Sie dieses Notebook
#
# 1. In der nächsten Zelle die Exporte und den Ordner der Sperrliste eintragen (leer:
#    Beispieldaten und `reports/sperrliste` im Projekt – derselbe Ordner wie
#    `deliverability suppress --state reports/sperrliste`).
# 2. **Ausführen → Alle Zellen ausführen** wählen.
# 3. Die Tabellen lassen sich sortieren, durchsuchen und als CSV für Excel herunterladen.
#
# Mit einer früheren Woche (`week`) zeigen Kennzahlen, Tabellen und Exporte die Sperrliste,
# wie sie am Ende dieser Woche war. Der Code ist eingeklappt; ein Klick auf die Zelle zeigt ihn.
# Das Notebook schreibt nur in den Ordner der Sperrliste und unter `reports/`.

# %% tags=["parameters"]
# Exporte jeder Quelle (CSV, JSON, Logs, .msg; auch .gz): eine Datei oder ein Ordner, mehrere
# mit ; getrennt, z. B. r"C:\Users\anna\Exporte" (leer: Beispieldaten)
inputs = ""
state_dir = ""  # Ordner der Sperrliste (leer: reports/sperrliste im Projekt)
week = ""  # Kalenderwoche wie 2026-W47 oder KW 47/2026 (leer: letzte Woche in den Daten)
formats = "generic"  # Exportformate, mit Komma getrennt, z. B. "brevo, hubspot, ses"
out_dir = ""  # Ordner für die Exporte (leer: reports/WOCHE im Projekt)
since_last = False  # True: nur Adressen, die seit dem letzten Export gesperrt wurden
excel = False  # True: CSV für deutsches Excel (Semikolon, UTF-8 mit BOM)
timezone = "Europe/Berlin"  # Zeitzone für Wochen und Zeitangaben
policy_file = ""  # eigene Sperrregeln als TOML (leer: die aus den Einstellungen)
settings_file = ""  # Einstellungsdatei (leer: deliverability.toml, sonst Voreinstellungen)
policy_change = False  # True: andere Sperrregeln als bisher für diese Sperrliste übernehmen

# %% jupyter={"source_hidden": true}
from pathlib import Path

from IPython.display import HTML, Markdown, display

from deliverability import config
from deliverability.periods import resolve_week, week_end
from deliverability.pipeline.polars_engine import PolarsEngine
from deliverability.settings import load_settings, suppression_policy
from deliverability.suppression import StateDir
from deliverability.views import format as fmt
from deliverability.views import suppression as view
from deliverability.views.notebook import input_paths, show_table, start, words
from deliverability.views.tables import to_html

start()
policy = suppression_policy(load_settings(settings_file or None), policy_file or None)
store = StateDir(Path(state_dir) if state_dir else config.REPORTS_DIR / "sperrliste")
store.check_policy(policy, policy_change)
engine = PolarsEngine()
events = engine.load(input_paths(inputs) or [str(p) for p in config.sample_inputs()], timezone)
state = engine.update_suppression(store, policy, events)
weeks = events.weeks()
week = resolve_week(weeks, week or None)
past_week = week != weeks[-1]
if past_week:  # the list as it stood at the end of that week
    state = store.state_until(policy, week_end(week, timezone))
display(Markdown(f"# Sperrliste – {fmt.week_title(week, timezone)}"))
display(HTML(to_html(view.key_figures(state, week, timezone))))

# %% [markdown]
# ## Neu gesperrt
#
# Gesperrt wird sofort bei einem Hardbounce, der die Adresse selbst betrifft (Empfänger
# unbekannt, Domain existiert nicht …), bei einer Beschwerde und bei einer Abmeldung; nach
# Softbounces in Folge ohne Zustellung dazwischen (Standard: fünf). Blockaden Ihres Versands
# (Sperrlisten, Reputation, Spamfilter, Versandlimits) sperren keine gültige Adresse.

# %% jupyter={"source_hidden": true}
new = view.new_this_week(state, week, timezone)
if new.empty:
    display(Markdown("In dieser Woche wurde keine Adresse gesperrt."))
else:
    show_table(new, "neu-gesperrt")

# %% [markdown]
# ## Unter Beobachtung
#
# Diese Adressen hatten zuletzt Softbounces in Folge (z. B. Postfach voll, Server nicht
# erreichbar). Kommt bis zur Grenze keine Zustellung dazwischen, werden sie gesperrt.

# %% jupyter={"source_hidden": true}
watch = view.watch_list(state, policy.consecutive_soft)
if watch.empty:
    display(Markdown("Keine Adresse steht unter Beobachtung."))
else:
    show_table(watch, "unter-beobachtung")

# %% [markdown]
# ## Freigaben und manuelle Sperren
#
# Eine Sperre wird nur mit schriftlichem Grund aufgehoben (`deliverability restore`); der
# Verlauf hält fest, wer wann warum. Kommt von einer freigegebenen Adresse wieder ein
# Hardbounce, wird sie erneut gesperrt.

# %% jupyter={"source_hidden": true}
history = view.restores(store, timezone)
if history.empty:
    display(Markdown("Bisher gab es keine Freigaben und keine manuellen Sperren."))
else:
    show_table(history, "freigaben")

# %% [markdown]
# ## Exporte

# %% jupyter={"source_hidden": true}
target = Path(out_dir) if out_dir else config.REPORTS_DIR / week
written = view.write_exports(
    store, state, words(formats), target, since_last=since_last, excel=excel, mark=not past_week
)
display(HTML(to_html(written)))
display(Markdown(f"Die Dateien liegen in `{target}`."))
if past_week:
    display(
        Markdown(
            f"Die Exporte zeigen die Sperrliste zum Ende von {fmt.week_title(week, timezone)}. "
            "Für den Import ins Zielsystem die letzte Woche wählen (Feld `week` leer lassen); "
            "diese Exporte zählen nicht als letzter Export."
        )
    )

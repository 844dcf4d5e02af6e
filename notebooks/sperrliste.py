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

# %% tags=["parameters"]
inputs: list = []  # Exporte jeder Quelle (CSV, JSON, Logs, .msg; auch .gz) (leer: Beispiel)
state_dir: str = ""  # Ordner der Sperrliste (leer: reports/sperrliste im Projekt)
week: str = ""  # Kalenderwoche wie 2026-W47 oder KW 47/2026 (leer: letzte Woche in den Daten)
formats: list = ["generic"]  # Exportformate, siehe docs/sperrliste.md (z. B. brevo, hubspot, ses)
out_dir: str = ""  # Ordner für die Exporte (leer: reports/WOCHE im Projekt)
since_last: bool = False  # nur Adressen, die seit dem letzten Export gesperrt wurden
excel: bool = False  # CSV für deutsches Excel (Semikolon, UTF-8 mit BOM)
timezone: str = "Europe/Berlin"  # Zeitzone für Wochen und Zeitangaben
policy_file: str = ""  # eigene Sperrregeln als TOML (leer: die aus den Einstellungen)
settings_file: str = ""  # Einstellungsdatei (leer: deliverability.toml, sonst Voreinstellungen)
policy_change: bool = False  # andere Sperrregeln als bisher für diese Sperrliste übernehmen

# %%
from pathlib import Path

from IPython.display import HTML, Markdown, display

from deliverability import config
from deliverability.periods import resolve_week
from deliverability.pipeline.polars_engine import PolarsEngine
from deliverability.settings import load_settings, suppression_policy
from deliverability.suppression import StateDir
from deliverability.views import format as fmt
from deliverability.views import suppression as view
from deliverability.views.tables import to_html

policy = suppression_policy(load_settings(settings_file or None), policy_file or None)
store = StateDir(Path(state_dir) if state_dir else config.REPORTS_DIR / "sperrliste")
store.check_policy(policy, policy_change)
engine = PolarsEngine()
events = engine.load([str(p) for p in inputs or config.sample_inputs()], timezone)
state = engine.update_suppression(store, policy, events)
week = resolve_week(events.weeks(), week or None)
display(Markdown(f"# Sperrliste – {fmt.week_title(week, timezone)}"))
display(HTML(to_html(view.key_figures(state, week, timezone))))

# %% [markdown]
# ## Neu gesperrt
#
# Gesperrt wird sofort bei einem Hardbounce, der die Adresse selbst betrifft (Empfänger
# unbekannt, Domain existiert nicht …), bei einer Beschwerde und bei einer Abmeldung; nach
# Softbounces in Folge ohne Zustellung dazwischen (Standard: fünf). Blockaden Ihres Versands
# (Sperrlisten, Reputation, Spamfilter, Versandlimits) sperren keine gültige Adresse.

# %%
new = view.new_this_week(state, week, timezone)
if new.empty:
    display(Markdown("In dieser Woche wurde keine Adresse gesperrt."))
else:
    display(HTML(to_html(new)))

# %% [markdown]
# ## Unter Beobachtung
#
# Diese Adressen hatten zuletzt Softbounces in Folge (z. B. Postfach voll, Server nicht
# erreichbar). Kommt bis zur Grenze keine Zustellung dazwischen, werden sie gesperrt.

# %%
watch = view.watch_list(state, policy.consecutive_soft)
if watch.empty:
    display(Markdown("Keine Adresse steht unter Beobachtung."))
else:
    display(HTML(to_html(watch.head(50))))
    if len(watch) > 50:
        display(Markdown(f"… und {fmt.number(len(watch) - 50)} weitere."))

# %% [markdown]
# ## Freigaben und manuelle Sperren
#
# Eine Sperre wird nur mit schriftlichem Grund aufgehoben (`deliverability restore`); der
# Verlauf hält fest, wer wann warum. Kommt von einer freigegebenen Adresse wieder ein
# Hardbounce, wird sie erneut gesperrt.

# %%
history = view.restores(store, timezone)
if history.empty:
    display(Markdown("Bisher gab es keine Freigaben und keine manuellen Sperren."))
else:
    display(HTML(to_html(history)))

# %% [markdown]
# ## Exporte

# %%
target = Path(out_dir) if out_dir else config.REPORTS_DIR / week
written = view.write_exports(store, state, formats, target, since_last=since_last, excel=excel)
display(HTML(to_html(written)))
display(Markdown(f"Die Dateien liegen in `{target}`."))

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
# # Bounce-Mails auswerten
#
# Dieses Notebook liest die Bounce-Mails aus dem Bounce-Postfach (einzelne `.eml`-Dateien,
# mbox-Dateien, Maildir-Ordner) und sagt für jeden Empfänger: **warum** die Mail nicht
# ankam, ob der Fehler **hart** (dauerhaft) oder **weich** (vorübergehend) ist und ob die
# Adresse **gesperrt** werden sollte. Ohne Angaben wertet es das Beispiel-Postfach der
# KW 47/2026 aus.
#
# ### So benutzen Sie dieses Notebook
#
# 1. Tragen Sie in der nächsten Zelle ein, wo Ihre Bounce-Mails liegen (oder lassen Sie das
#    Feld leer für das Beispiel).
# 2. Wählen Sie im Menü **Ausführen → Alle Zellen ausführen**.
# 3. Die Tabellen lassen sich sortieren (Klick auf die Spaltenüberschrift), durchsuchen und als
#    CSV für Excel herunterladen; bei den Einzelbefunden wählen Sie oben Grund, Domain und
#    Empfänger aus.
#
# Der Code ist eingeklappt; ein Klick auf die Zelle zeigt ihn. Alle Berechnungen stecken im
# Paket `deliverability`. Das Notebook schreibt nur, wenn Sie `out_csv` angeben.

# %% tags=["parameters"]
# Bounce-Mails: eine .eml-, .msg- oder mbox-Datei (auch .gz), ein Maildir oder ein Ordner;
# mehrere mit ; getrennt, z. B. r"C:\Users\anna\Bounces" (leer: Beispiel-Postfach)
inputs = ""
top_n = 15  # Anzahl der häufigsten Serverantworten in der Tabelle
out_csv = ""  # Datei für alle Befunde als CSV, z. B. r"C:\Users\anna\befunde.csv" (leer: keine)
rules_file = ""  # eigene Regeln (CSV mit reason, pattern), gehen vor (leer: keine)

# %% jupyter={"source_hidden": true}
from pathlib import Path

from IPython.display import HTML, Markdown, display

from deliverability import config
from deliverability.bounces import summary
from deliverability.bounces.parse import classify_mails
from deliverability.classify.rules import activate_rules
from deliverability.classify.user_rules import rules_with
from deliverability.report import charts
from deliverability.views import bounces as tables
from deliverability.views import format as fmt
from deliverability.views.notebook import drill_down, input_paths, show_table, start
from deliverability.views.tables import to_html

start()
activate_rules(rules_with(rules_file))
paths = input_paths(inputs) or config.sample_bounce_inputs()
box = summary.collect(classify_mails(paths))
display(Markdown(f"Ausgewertet: {fmt.enumeration([f'`{Path(p).name}`' for p in paths])}"))
display(HTML(to_html(tables.overview_table(box))))

# %% [markdown]
# ## Gründe
#
# Jeder Empfänger zählt einmal. **Hart** heißt: Der Server hat endgültig abgelehnt (Code 5xx);
# **weich**: Er hat es nur vorerst abgelehnt (4xx), die Mail kann später ankommen.
# **Zu sperren** sind nur Adressen, die selbst unzustellbar sind (Empfänger unbekannt, Domain
# existiert nicht, Adresse umgezogen, Domain nimmt keine Mail an). Ein Block Ihres Versands,
# ein Spamfilter oder ein volles Postfach sind kein Grund, eine gültige Adresse zu sperren.

# %% jupyter={"source_hidden": true}
display(
    HTML(
        charts.to_img_tag(
            charts.bounce_reasons_chart(summary.reasons(box), "Gründe der Bounces"),
            "Bounces nach Grund, hart und weich",
        )
    )
)
show_table(tables.reasons_table(box), "bounce-gruende")

# %% [markdown]
# ## Was bedeutet das, und was können Sie tun?

# %% jupyter={"source_hidden": true}
for row in summary.reasons(box).iter_rows(named=True):
    display(
        Markdown(
            f"### {row['label']} ({fmt.number(row['recipients'])} Empfänger)\n\n"
            f"**Was ist passiert?** {row['what']}\n\n"
            f"**Was bedeutet das?** {row['meaning']}\n\n"
            f"**Was können Sie tun?** {row['action']}"
        )
    )

# %% [markdown]
# ## Nach Anbieter
#
# Der Anbieter ergibt sich aus der Domain der Adresse. Viele weiche Fehler bei einem Anbieter
# deuten auf eine Drosselung oder Störung dort hin, viele harte auf alte Adresslisten.

# %% jupyter={"source_hidden": true}
show_table(tables.providers_table(box), "bounces-nach-anbieter")

# %% [markdown]
# ## Häufigste Serverantworten
#
# Gleiche Antworten an verschiedene Empfänger sind zusammengefasst: Adressen, IP-Adressen
# und Nachrichten-IDs sind ausgeblendet.

# %% jupyter={"source_hidden": true}
show_table(tables.diagnostics_table(box, top_n), "serverantworten")

# %% [markdown]
# ## Einzelbefunde: warum dieses Urteil?
#
# Je Empfänger die Regel, die entschieden hat: `text:…` eine Formulierung der Serverantwort
# (mit Tabelle und Zeile der mitgelieferten Regeln), `status:…` der erweiterte Statuscode,
# `reply:…` der SMTP-Antwortcode, `context:…` der Befehl oder die DSN-Aktion, `user:…` eine
# eigene Regel aus `rules_file`, `fallback:onhold` keine erkennbare Ursache. Wählen Sie einen
# Grund, eine Domain oder einen Empfänger, um nur diese Befunde zu sehen.

# %% jupyter={"source_hidden": true}
drill_down(tables.details_table(box, None), ["Grund", "Domain", "Empfänger"], "bounce-befunde")

# %% [markdown]
# ## Mails ohne Unzustellbarkeit
#
# Diese Mails im Postfach sind keine Bounce-Mails (zum Beispiel Antworten von Kunden). Sie
# werden genannt, nicht geraten.

# %% jupyter={"source_hidden": true}
others = tables.not_bounces_table(box)
if others.empty:
    display(
        Markdown("Alle Mails im Postfach waren Bounce-Mails, Beschwerden oder Abwesenheitsnotizen.")
    )
else:
    show_table(others, "keine-bounces")

# %% jupyter={"source_hidden": true}
if out_csv:
    written = tables.write_verdicts_csv(box, Path(out_csv))
    display(Markdown(f"Alle Befunde gespeichert in `{written}`."))

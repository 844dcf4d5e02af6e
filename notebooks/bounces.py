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
# KW 47/2026 aus. Alle Berechnungen stecken im Paket `deliverability`; hier stehen nur
# die Parameter und die Darstellung.

# %% tags=["parameters"]
inputs: list = []  # Bounce-Mails: .eml, .msg, mbox (auch .gz), Maildir, Ordner (leer: Beispiel)
top_n: int = 15  # Anzahl der häufigsten Serverantworten in der Tabelle
out_csv: str = ""  # Dateipfad für alle Befunde als CSV (leer: keine Datei)
rules_file: str = ""  # eigene Regeln (CSV mit reason, pattern), gehen vor (leer: keine)
details_n: int = 200  # höchstens so viele Empfänger in der Einzeltabelle

# %%
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
from deliverability.views.tables import to_html

activate_rules(rules_with(rules_file))
paths = inputs or config.sample_bounce_inputs()
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

# %%
display(
    HTML(
        charts.to_img_tag(
            charts.bounce_reasons_chart(summary.reasons(box), "Gründe der Bounces"),
            "Bounces nach Grund, hart und weich",
        )
    )
)
display(HTML(to_html(tables.reasons_table(box))))

# %% [markdown]
# ## Was bedeutet das, und was können Sie tun?

# %%
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

# %%
display(HTML(to_html(tables.providers_table(box))))

# %% [markdown]
# ## Häufigste Serverantworten
#
# Gleiche Antworten an verschiedene Empfänger sind zusammengefasst: Adressen, IP-Adressen
# und Nachrichten-IDs sind ausgeblendet.

# %%
display(HTML(to_html(tables.diagnostics_table(box, top_n))))

# %% [markdown]
# ## Einzelbefunde: warum dieses Urteil?
#
# Je Empfänger die Regel, die entschieden hat: `text:…` eine Formulierung der Serverantwort
# (mit Tabelle und Zeile der mitgelieferten Regeln), `status:…` der erweiterte Statuscode,
# `reply:…` der SMTP-Antwortcode, `context:…` der Befehl oder die DSN-Aktion, `user:…` eine
# eigene Regel aus `rules_file`, `fallback:onhold` keine erkennbare Ursache.

# %%
display(HTML(to_html(tables.details_table(box, details_n))))

# %% [markdown]
# ## Mails ohne Unzustellbarkeit
#
# Diese Mails im Postfach sind keine Bounce-Mails (zum Beispiel Antworten von Kunden). Sie
# werden genannt, nicht geraten.

# %%
others = tables.not_bounces_table(box)
if others.empty:
    display(
        Markdown("Alle Mails im Postfach waren Bounce-Mails, Beschwerden oder Abwesenheitsnotizen.")
    )
else:
    display(HTML(to_html(others)))

# %%
if out_csv:
    written = tables.write_verdicts_csv(box, Path(out_csv))
    display(Markdown(f"Alle Befunde gespeichert in `{written}`."))

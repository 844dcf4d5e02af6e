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
# # Versendet ist nicht zugestellt
#
# „Es steht versendet – warum ist die Mail nicht angekommen?“ Dieses Notebook zeigt, was aus
# den Mails wurde (Trichter), welche Mails noch ohne Ergebnis sind und wie lange schon, ob eine
# ganze Domain hängt oder nur einzelne Adressen, bei welchen Anbietern zugestellte Mails
# auffällig selten geöffnet werden (Spamordner, Quarantäne) und ob die Versanddomain sauber
# authentifiziert ist (SPF, DKIM, DMARC, passende Absenderadresse).
#
# ### So benutzen Sie dieses Notebook
#
# 1. In der nächsten Zelle die Exporte eintragen (leer: Beispieldaten); Pfade unter Windows als
#    `r"C:\Users\anna\Exporte"`.
# 2. **Ausführen → Alle Zellen ausführen** wählen.
# 3. Die Tabellen lassen sich sortieren, durchsuchen und als CSV für Excel herunterladen.
#
# Antwortet der DNS-Server nicht oder falsch, steht eine Warnung über den Prüfungen, und kein
# DNS-Urteil wird gefällt. Der Code ist eingeklappt; ein Klick auf die Zelle zeigt ihn.

# %% tags=["parameters"]
# Ereignisexporte jeder Quelle (CSV, JSON, Logs, .msg; auch .gz): eine Datei oder ein Ordner,
# mehrere mit ; getrennt, z. B. r"C:\Users\anna\Exporte" (leer: Beispieldaten)
inputs = ""
week: str = ""  # Kalenderwoche wie 2026-W47 oder KW 47/2026 (leer: letzte Woche in den Daten)
# Versanddomains für SPF/DKIM/DMARC, mit Komma getrennt (leer: die Domains der Absender)
sender_domains = ""  # z. B. "firma.de, news.firma.de"
# DKIM-Selektoren der Versandplattform, mit Komma getrennt (leer: DKIM-Schlüssel nicht prüfen)
dkim_selectors = ""  # z. B. "mj, google"
from_address: str = ""  # Absenderadresse für die Ausrichtung (leer: häufigster Absender)
nameserver: str = ""  # DNS-Server als HOST:PORT (leer: der des Systems)
check_dns: bool = True  # DNS-Prüfungen (Authentifizierung, Anbieter per MX) ausführen
timezone: str = "Europe/Berlin"  # Zeitzone für Wochen und Zeitangaben

# %% jupyter={"source_hidden": true}

import polars as pl
from IPython.display import HTML, Markdown, display

from deliverability import config
from deliverability.funnel.bulk import bulk_findings, bulk_sender_days
from deliverability.funnel.engagement import accepted_not_seen
from deliverability.funnel.funnel import (
    as_of_of,
    deferral_to_outcome,
    funnel,
    pending_ages,
    stuck_domains,
)
from deliverability.periods import resolve_week
from deliverability.pipeline.polars_engine import PolarsEngine
from deliverability.rates import rates
from deliverability.report import charts
from deliverability.views import format as fmt
from deliverability.views import funnel as view
from deliverability.views.notebook import drill_down, input_paths, show_table, start, words
from deliverability.views.tables import to_html

start()

paths = input_paths(inputs) or [str(p) for p in config.sample_inputs()]
load = PolarsEngine().load(paths, timezone)
messages = load.messages
week = resolve_week(load.weeks(), week or None)
this_week = messages.filter(pl.col("week") == week)
as_of = as_of_of(load.events)
display(Markdown(f"## {fmt.week_title(week, timezone)} · {view.now_text(as_of, timezone)}"))

# %% [markdown]
# ## Was aus den Mails wurde
#
# *Versendet* heißt: Die Mail hat die Versandplattform verlassen. *Zugestellt* heißt erst: Der
# Server des Empfängers hat sie angenommen – ob sie im Posteingang, im Spam oder in der
# Quarantäne liegt, sagt das nicht. *Ohne Ergebnis* sind Mails, die noch zurückgestellt sind
# oder zu denen keine Rückmeldung kam. Die Grafik zeigt die Wochen bis zur gewählten, die
# Tabellen und alle Abschnitte darunter nur die gewählte Woche.

# %% jupyter={"source_hidden": true}
weekly = funnel(messages.filter(pl.col("week") <= week), ["week"])  # up to the chosen week
display(HTML(charts.to_img_tag(view.funnel_chart(weekly), "Was aus den Mails wurde, je Woche")))
show_table(view.funnel_table(funnel(this_week, ["provider"]), "provider", "Anbieter"), "trichter")

# %% [markdown]
# ## Ohne Zustellung: wie lange schon, und hängt eine ganze Domain?
#
# Hängen viele Adressen einer Domain zugleich, ist meist der Empfangsserver gestört oder
# drosselt – die Plattform versucht es weiter, und die Adressen sind in Ordnung. Hängen nur
# einzelne Adressen, ist oft das Postfach voll oder nicht erreichbar. Nach der Wiederholfrist
# der Plattform wird aus der zurückgestellten Mail ein Softbounce.

# %% jupyter={"source_hidden": true}
ages = pending_ages(this_week, as_of)
stuck = stuck_domains(this_week)
week_deferrals = deferral_to_outcome(load.events).join(
    this_week.select("message_key", "recipient"), on=["message_key", "recipient"], how="semi"
)
display(Markdown(view.deferral_summary(week_deferrals)))
if ages.is_empty():
    display(Markdown("In dieser Woche ist jede versendete Mail angekommen oder gescheitert."))
else:
    show_table(view.stuck_table(stuck), "haengende-domains")
    show_table(view.pending_table(ages, timezone), "ohne-ergebnis")

# %% [markdown]
# ## Eine Domain, ihre Adressen, deren Ereignisse
#
# Jedes Ereignis der Woche jeder Adresse, die in dieser Woche zurückgestellt, abgewiesen oder
# blockiert wurde oder eine Beschwerde schickte – mit der vollständigen Antwort des Servers und
# der Zeile der Eingabedatei. Wählen Sie eine Domain, dann eine Adresse.

# %% jupyter={"source_hidden": true}
drill_down(
    view.address_events_table(load.events, week, timezone),
    ["Domain", "Empfänger"],
    "ereignisse-je-adresse",
)

# %% [markdown]
# ## Zugestellt, aber nicht gesehen
#
# Anteil der zugestellten Mails, die später geöffnet oder geklickt wurden, je Anbieter gegen
# den Schnitt desselben Absenders. Liegt ein Anbieter weit darunter, landet die Mail dort
# vermutlich im Spamordner oder in der Quarantäne. Grenzen des Signals: Datenschutz-Proxys
# öffnen jede Mail, manche Programme laden keine Bilder. Was die IT des Empfängers prüfen
# kann: Quarantäne und Spamfilter-Protokoll nach Absender, Betreff und Uhrzeit durchsuchen und
# die Versand-IP-Adressen freigeben.

# %% jupyter={"source_hidden": true}
seen = accepted_not_seen(this_week, min_delivered=50)
show_table(view.engagement_table(seen), "oeffnungen")

# %% [markdown]
# ## Massenversender-Regeln von Gmail, Yahoo und Outlook.com
#
# Ab 5.000 Mails am Tag an einen dieser Anbieter gelten strengere Regeln: SPF, DKIM und DMARC,
# ein Abmeldelink mit einem Klick und eine Beschwerderate unter 0,3 %. Geprüft werden die Tage
# der gewählten Woche.

# %% jupyter={"source_hidden": true}
display(HTML(to_html(view.bulk_table(bulk_findings(bulk_sender_days(this_week))))))

# %% [markdown]
# ## Authentifizierung der Versanddomain
#
# SPF sagt, welche Server für die Domain senden dürfen; DKIM signiert jede Mail; DMARC sagt
# den Empfängern, was mit Mails geschehen soll, die beides nicht bestehen – und verlangt, dass
# die Absenderadresse zur geprüften Domain passt.

# %% jupyter={"source_hidden": true}
from collections import Counter

from deliverability.lookup.records import DnsReader
from deliverability.senderauth.check import as_record, check_sender
from deliverability.senderauth.mx_providers import providers_by_mx
from deliverability.views.notices import warning_html

senders = Counter(s for s in messages.get_column("sender").to_list() if s)
domains = words(sender_domains) or sorted({s.rpartition("@")[2].lower() for s in senders})
sender = from_address or (senders.most_common(1)[0][0] if senders else "")
if check_dns:
    reader = DnsReader(nameserver or None, timeout=2.0)  # asks the DNS server first
    display(HTML(warning_html(reader.health.warning())))  # only when it fails or lies
    records = [as_record(check_sender(d, reader, words(dkim_selectors), sender)) for d in domains]
    display(HTML(to_html(view.sender_table(records))))
else:
    display(Markdown("DNS-Prüfungen sind ausgeschaltet (`check_dns = False`)."))

# %% [markdown]
# ## Wer die Mail wirklich annimmt (Anbieter per MX)
#
# Viele Firmen-Domains liegen bei Google Workspace oder Microsoft 365; ihr Filter entscheidet
# dann, nicht der der Firma. Die Zuordnung folgt den MX-Einträgen.

# %% jupyter={"source_hidden": true}
if check_dns:
    hosted = providers_by_mx(
        this_week.get_column("recipient_domain").drop_nulls().unique().to_list(),
        nameserver or None,
        timeout=2.0,
        resolver=reader.health,
    )
    by_mx = pl.DataFrame(
        {"recipient_domain": list(hosted), "mx_provider": [p.provider for p in hosted.values()]}
    )
    real = this_week.join(by_mx, on="recipient_domain", how="left")
    display(
        HTML(
            to_html(
                view.rates_table(
                    rates(real.lazy(), ["mx_provider"]).collect(), "mx_provider", "Anbieter (MX)"
                )
            )
        )
    )
    display(
        HTML(
            to_html(
                view.funnel_table(funnel(real, ["mx_provider"]), "mx_provider", "Anbieter (MX)")
            )
        )
    )

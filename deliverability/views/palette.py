"""The colours of every chart (one palette, so that "hard" looks the same everywhere)."""

COLORS = {
    "sent": "#9bb7d4",
    "hard": "#c0392b",
    "soft": "#e67e22",
    "blocked": "#7f8c8d",
    "line": "#2c3e50",
    "previous": "#bdc3c7",
    "current": "#2980b9",
}

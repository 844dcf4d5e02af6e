"""The German weekly report: data (`weekly`), formats, tables, charts and rendering."""

"""One small module per source format; `registry.FORMATS` lists them in detection order."""

"""The pure RFC engine: text in, document model and diagnostics out. No I/O here."""

"""Fitting a scenario from a force's own call records (issue 19): reading its telephony export
with a mapping file, and the export's observed KPIs by the project's own definitions."""

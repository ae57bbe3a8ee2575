"""Fitting a scenario from a force's own call records (issue 19): reading its telephony export
with a mapping file, the export's observed KPIs by the project's own definitions, and the
fitted talk, wrap-up and patience distributions and redials."""

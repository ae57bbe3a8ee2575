"""The command line: parsers, commands, and the one place that maps errors to exit statuses."""

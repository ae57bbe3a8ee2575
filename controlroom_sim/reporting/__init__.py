"""Presenting results: tables for the terminal, plots, the HTML report and the replay page."""

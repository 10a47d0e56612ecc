"""Small maintenance scripts run from the Makefile."""

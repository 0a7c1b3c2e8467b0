"""The demo factory's data tables, one module per domain: constants only, no logic."""

"""The service figures dashboard: one page, its view model, and how it reads the figures."""

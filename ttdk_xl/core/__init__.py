"""The ground floor: plain data (models), text and sheet layout, errors, safe writing and reading helpers.

Imports nothing else of ttdk_xl."""

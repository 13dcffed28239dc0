"""The `ttdk-xl` command: a thin client of the library API."""

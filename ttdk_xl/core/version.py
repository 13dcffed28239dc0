"""The version of ttdk-xl, written into every workbook it issues (`_meta`) and shown by `--version`."""

__version__ = "0.1.0"

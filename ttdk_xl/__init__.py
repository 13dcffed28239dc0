"""ttdk-xl: consolidate, check, rank and report the self-scoring workbooks of an emulation cluster."""

__version__ = "0.1.0"

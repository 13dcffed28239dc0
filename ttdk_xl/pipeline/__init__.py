"""The one place that runs the stages in order (stages), and how the work is executed (execution)."""

"""The few exceptions that stop a run (bad input files are findings, not exceptions)."""


class TtdkError(Exception):
    """A problem that stops the command; its message is Vietnamese and says what to do."""


class BookError(TtdkError):
    """The criteria book cannot be used."""

    def __init__(self, problems: list[str]):
        self.problems = problems
        super().__init__("Bộ tiêu chí có lỗi, cần sửa trước khi dùng:\n" + "\n".join(f"  - {p}" for p in problems))


class ReportTemplateError(TtdkError):
    """The Word report template cannot be rendered."""

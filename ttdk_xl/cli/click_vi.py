"""Vietnamese for Click's own messages (usage errors, help headings), so no English reaches the user.

Click marks its messages for gettext (`_` and `ngettext` in each of its modules); `install()` points
those names at a small Vietnamese catalogue. Messages not in it stay as Click writes them.
"""

from __future__ import annotations

import importlib
from typing import Any

VI = {
    "Usage:": "Cách dùng:",
    "Options": "Tùy chọn",
    "Commands": "Lệnh",
    "Show this message and exit.": "Hiện hướng dẫn này rồi thoát.",
    "Show the version and exit.": "Hiện phiên bản rồi thoát.",
    "Error: {message}": "Lỗi: {message}",
    "Try '{command} {option}' for help.": "Xem hướng dẫn: '{command} {option}'.",
    "Invalid value for {param_hint}: {message}": "Giá trị không hợp lệ cho {param_hint}: {message}",
    "Invalid value: {message}": "Giá trị không hợp lệ: {message}",
    "Missing argument": "Thiếu tham số",
    "Missing option": "Thiếu tùy chọn",
    "Missing parameter": "Thiếu tham số",
    "Missing command.": "Thiếu lệnh.",
    "Missing parameter: {param_name}": "Thiếu tham số: {param_name}",
    "Missing {param_type}": "Thiếu {param_type}",
    "No such command {name!r}.": "Không có lệnh {name!r}.",
    "No such option {name!r}.": "Không có tùy chọn {name!r}.",
    "Option {name!r} does not take a value.": "Tùy chọn {name!r} không nhận giá trị.",
    "{name} {filename!r} does not exist.": "Không tìm thấy {filename!r}.",
    "{name} {filename!r} is a directory.": "{filename!r} là thư mục, cần chỉ ra một tệp.",
    "{name} {filename!r} is a file.": "{filename!r} là tệp, cần chỉ ra một thư mục.",
    "{name} {filename!r} is not readable.": "Không đọc được {filename!r}.",
    "{name} {filename!r} is not writable.": "Không ghi được vào {filename!r}.",
    "{value!r} is not a valid {number_type}.": "{value!r} không phải là số hợp lệ.",
    "{value} is not in the range {range}.": "{value} nằm ngoài khoảng cho phép {range}.",
    "default: {default}": "mặc định: {default}",
    "Aborted!": "Đã dừng.",
    "file": "tệp",
    "directory": "thư mục",
    "path": "đường dẫn",
    "integer": "số nguyên",
    "float": "số",
}
VI_PLURAL = {
    "Option {name!r} requires an argument.": "Tùy chọn {name!r} cần một giá trị.",
    "Got unexpected extra argument ({args})": "Thừa tham số ({args})",
    "Did you mean {possibility}?": "Có phải ý bạn là {possibility}?",
    "{value!r} is not {choice}.": "{value!r} không phải là {choice}.",
}
_MODULES = ("core", "exceptions", "types", "parser", "decorators", "formatting", "termui", "utils")


def _gettext(message: str) -> str:
    return VI.get(message, message)


def _ngettext(singular: str, plural: str, n: int) -> str:
    return VI_PLURAL.get(singular if n == 1 else plural, VI_PLURAL.get(singular, singular if n == 1 else plural))


def install() -> None:
    """Make Click speak Vietnamese in this process."""
    for name in _MODULES:
        try:
            module: Any = importlib.import_module(f"click.{name}")  # Any: its gettext hooks are set below
        except ImportError:
            continue
        if hasattr(module, "_"):
            module._ = _gettext
        if hasattr(module, "ngettext"):
            module.ngettext = _ngettext

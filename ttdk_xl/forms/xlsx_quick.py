"""An xlsxwriter worksheet that skips the costly rewrite of formulas that use no new Excel functions.

xlsxwriter runs ~130 regular expressions over every formula (and every data-validation formula) to add
the `_xlfn.` prefix that Excel wants before functions newer than Excel 2007. The unit workbook has about
a hundred formulas, all built from old functions, so that rewrite is most of the time spent writing one.
When every function a formula calls is an old one, the rewrite cannot change it, and it is skipped;
any other formula goes through xlsxwriter's own code. The file is the same byte for byte.
"""

from __future__ import annotations

import re

from xlsxwriter.worksheet import Worksheet

# Functions of Excel 2007 and older: xlsxwriter never prefixes these.
OLD_FUNCTIONS = frozenset(
    "ABS AND AVERAGE CONCATENATE COUNT COUNTA COUNTBLANK COUNTIF DATE EXACT FIND IF IFERROR INDEX INT ISBLANK "
    "ISERROR ISNUMBER ISTEXT LEFT LEN LOWER MATCH MAX MID MIN MOD NOT OR RIGHT ROUND ROUNDDOWN ROUNDUP SEARCH "
    "SUBSTITUTE SUM SUMIF SUMPRODUCT TEXT TRIM UPPER VALUE".split()
)
_CALL = re.compile(r"([A-Za-z_][A-Za-z0-9._]*)\(")


class QuickFormulaSheet(Worksheet):
    def _prepare_formula(self, formula, expand_future_functions=False):
        if "INGLE(" not in formula and all(name in OLD_FUNCTIONS for name in _CALL.findall(formula)):
            if formula.startswith("{"):
                formula = formula[1:]
            if formula.startswith("="):
                formula = formula[1:]
            if formula.endswith("}"):
                formula = formula[:-1]
            return formula
        return super()._prepare_formula(formula, expand_future_functions)

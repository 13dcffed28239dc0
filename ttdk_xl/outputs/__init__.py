"""What the office gets: the summary workbook, JSON, report, returns, delegate list, ballots, minutes, covenant."""

"""The domain rules over plain data: matching units, checking scores, totals, ranks, agreed scores, delegates,
votes."""

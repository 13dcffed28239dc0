"""Earlier years of a cluster: reading them (files), the year tables (frame, pandas), the trends, the award
screens that reach across years (eligibility) and the head and deputy proposal (rotation)."""

"""What is sent to units: the self-scoring workbooks (and their delegate sheet), and email drafts."""

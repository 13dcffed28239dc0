"""What comes back: returned workbooks (.xlsx, .xls, .ods) and saved emails, read into raw submissions."""

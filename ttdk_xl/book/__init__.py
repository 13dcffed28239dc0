"""The criteria book: reading and checking bo_tieu_chi.xlsx into a Book."""

"""estout tables (esttab, estout): the table model, document formats and the layout."""

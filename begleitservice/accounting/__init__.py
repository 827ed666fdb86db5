"""Abrechnung: the monthly billing run, invoices and Storno, volunteer allowances, exports for accounting."""

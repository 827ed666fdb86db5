"""Billing of the Häusliche Entlastung: pure domain code, no Flask, no database.

The app maps its models onto the frozen dataclasses here and stores what comes back:

- ``config``: dated figures (rates, Entlastungsbetrag, Umwandlung caps, allowance, tax-free caps, retention,
  provider) – ``DEFAULT_CONFIG``, ``config_from_dict``.
- ``ledger``: the Entlastungsbetrag ledger of one senior – ``compute_ledger(LedgerInput, config=...)``;
  ``budget.check_budget`` for planning.
- ``lines`` → ``run.prepare_month`` → ``invoices.number_invoices`` → ``documents.render_all``: the monthly run.
- ``invoices.build_storno`` and ``corrections`` (Storno cascade plan, Nachberechnung of late minutes);
  ``allowances``: volunteer allowances; ``exports``: CSV/XLSX.
"""

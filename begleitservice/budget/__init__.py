"""The Entlastungsbetrag ledger per senior: facts the coordinator enters, the ledger page, the planning check."""

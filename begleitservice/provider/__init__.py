"""Provider and billing settings: the provider's data and the dated rates, kept as history in the database."""

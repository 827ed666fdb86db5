"""Short German help per area and a glossary of the terms of the Entlastungsbetrag and the city's planning."""

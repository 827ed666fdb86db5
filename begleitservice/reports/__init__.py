"""Reports for the service and the city: period figures, where help is missing, figures by Sozialraum."""

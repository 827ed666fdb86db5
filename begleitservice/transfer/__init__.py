"""Import and export of volunteers and seniors in the browser, with the same checks and report as the CLI."""

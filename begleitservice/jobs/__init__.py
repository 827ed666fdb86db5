"""Background jobs: the registry, the ``scheduler`` process and the ``run-job`` command."""

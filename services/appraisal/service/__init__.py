"""Domain operations of the appraisal service, a module per concern; none of them commits (the route or
the command-line entry point does: one unit of work)."""

"""The customer service's command-line entry points: `python -m services.customer.cli.consumer`,
`… .cli.migrate`, `… .cli.seed`."""

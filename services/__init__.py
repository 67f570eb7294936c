"""The four services: customer, tasks, appraisal and the gateway."""

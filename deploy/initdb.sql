-- One database per service: each service owns its data.
CREATE DATABASE rmwb_customer;
CREATE DATABASE rmwb_tasks;
CREATE DATABASE rmwb_appraisal;
CREATE DATABASE rmwb_gateway;     -- the gateway's idempotency store

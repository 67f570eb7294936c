"""Customer service: who is who in the bank (org, staff, identity) and the book of customers."""

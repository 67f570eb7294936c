"""Tasks service: the RM's daily list, raised from banking events, schedules and people."""

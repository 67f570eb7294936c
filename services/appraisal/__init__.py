"""Appraisal service (考核): indicators from events, scorecards, period close."""

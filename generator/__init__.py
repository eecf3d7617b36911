"""Dateline: a static site generator for news story timelines."""

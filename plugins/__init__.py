"""Domain plugins shipped with aha; each registers through the `aha` entry points."""

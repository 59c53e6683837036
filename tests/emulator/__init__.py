"""Unit tests for the Python emulator extensions (scripts/emulator_ext)."""

"""Network server fixtures live in conftest_<network>.py and are loaded by tests/conftest.py, so the
engine tests share the same session-scoped servers."""

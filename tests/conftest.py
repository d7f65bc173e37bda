"""Suite-wide test settings."""

from __future__ import annotations

import os

from hypothesis import settings

# CI runs the property tests with a fixed seed so that a red run is reproducible and a green one
# stays green; local runs keep exploring new examples (and found real bugs that way).
settings.register_profile("ci", derandomize=True, database=None, print_blob=True)
settings.load_profile("ci" if os.environ.get("CI") else "default")

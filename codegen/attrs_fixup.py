"""datamodel-code-generator formatter: turns its dataclass output into attrs models on our bases.

It runs after ruff, so it only edits import lines: the templates write `_attrs.define`,
`_Model` and `_OpenEnum`, which need imports that the generator cannot write itself
(an aliased `import attrs as _attrs` keeps a schema property named `attrs` or `field`
from shadowing the module inside a class body).
"""

from __future__ import annotations

import re

from datamodel_code_generator.format import CustomCodeFormatter

_HEADER = (
    "import attrs as _attrs\n\n"
    "from wacr.models._base import Model as _Model\n"
    "from wacr.models._base import OpenEnum as _OpenEnum\n"
    "from wacr.models._base import Result as _Result\n"
)


class CodeFormatter(CustomCodeFormatter):
    """Drop the stdlib dataclass/enum imports and add ours after `from __future__`."""

    def apply(self, code: str) -> str:
        code = re.sub(r"^from dataclasses import [^\n]*\n", "", code, flags=re.M)
        code = re.sub(r"^from enum import Enum\n", "", code, flags=re.M)
        return re.sub(
            r"^(from __future__ import annotations\n)", r"\1\n" + _HEADER, code, count=1, flags=re.M
        )

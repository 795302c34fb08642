"""What came before the answer: the prompt and the earlier turns of a chat, for the domain plugins.

The reader lives in `verifiers.rules.turns` so that rule packs can use it too; this module keeps the
plugins' import path.
"""

from __future__ import annotations

from verifiers.rules.turns import context_text

__all__ = ["context_text"]

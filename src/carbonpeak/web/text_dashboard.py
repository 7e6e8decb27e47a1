"""Page strings of the dashboard pages: key -> (Chinese, English); merged into :mod:`carbonpeak.web.i18n`."""

from __future__ import annotations

from typing import Final

TEXT: Final[dict[str, tuple[str, str]]] = {}

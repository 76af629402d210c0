"""The ``language=`` argument of labels, summaries and plots (contract rule 9).

>>> parse_language("zh-Hans"), parse_language("CN"), parse_language("en")
('zh', 'zh', 'en')
>>> parse_language("fr")
Traceback (most recent call last):
...
bankcrm.errors.InputError: column 'language': unknown language 'fr'; use 'en' or 'zh' \
(also zh-CN, zh-Hans, cn) [rule: language]
"""

from __future__ import annotations

from typing import Any, Literal

from bankcrm.errors import InputError

__all__ = ["Language", "parse_language"]

Language = Literal["en", "zh"]

_ALIASES: dict[str, Language] = {
    "en": "en",
    "zh": "zh",
    "zh-cn": "zh",
    "zh_cn": "zh",
    "zh-hans": "zh",
    "zh_hans": "zh",
    "cn": "zh",
}


def parse_language(value: Any) -> Language:
    """``"en"`` or ``"zh"`` for a language code, in any case.

    Raises:
        InputError: rule ``language`` for anything else.
    """
    if isinstance(value, str):
        found = _ALIASES.get(value.strip().lower())
        if found is not None:
            return found
    raise InputError(
        f"unknown language {value!r}; use 'en' or 'zh' (also zh-CN, zh-Hans, cn)",
        column="language",
        rule="language",
    )

"""The exception hierarchy and PII masking."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bankcrm.errors import (
    BankCRMError,
    CalendarCoverageError,
    InputError,
    InvalidIdentifier,
    MissingDependencyError,
    NotFittedError,
    PolicyError,
)
from bankcrm.pii import mask_id_number, mask_phone, mask_text, mask_value


@pytest.mark.parametrize(
    ("error", "builtin"),
    [
        (InputError, ValueError),
        (InvalidIdentifier, ValueError),
        (PolicyError, ValueError),
        (NotFittedError, AttributeError),
        (MissingDependencyError, ImportError),
        (CalendarCoverageError, LookupError),
    ],
)
def test_every_error_is_a_bankcrm_error_and_a_builtin(error: type, builtin: type) -> None:
    assert issubclass(error, BankCRMError)
    assert issubclass(error, builtin)


def test_input_error_message_lists_rows_and_counts() -> None:
    err = InputError("bad", column="c", rule="range", rows=list(range(5)), n_rows=12)
    assert str(err) == "column 'c': bad [rule: range; rows: 0, 1, 2, 3, 4 and 7 more]"
    assert InputError("plain").rows == []
    assert str(InputError("plain")) == "plain"


def test_missing_dependency_names_the_extra() -> None:
    err = MissingDependencyError("plots", "matplotlib", "plots")
    assert "pip install 'bankcrm[plots]'" in str(err)
    assert err.name == "matplotlib"


def test_masking_pinned() -> None:
    assert mask_id_number("11010519491231002X") == "110105********002X"
    assert mask_id_number("110105491231002") == "110105*****1002"
    assert mask_phone("+86 138-0013-8000") == "*******8000"
    assert mask_phone("008613800138000") == "*******8000"
    assert mask_value("13800138000", "phone") == "*******8000"
    assert mask_value("11010519491231002X", "id") == "110105********002X"
    assert mask_text("id 11010519491231002X tel 13800138000") == (
        "id 110105********002X tel *******8000"
    )


ids = st.from_regex(r"\A[1-9]\d{16}[0-9Xx]\Z") | st.from_regex(r"\A[1-9]\d{14}\Z")
phones = st.from_regex(r"\A1[3-9]\d{9}\Z")


@given(ids)
def test_masked_id_keeps_only_region_and_last_four(value: str) -> None:
    masked = mask_id_number(value)
    assert len(masked) == len(value)
    assert masked[:6] == value[:6]
    assert masked[-4:] == value[-4:]
    assert set(masked[6:-4]) <= {"*"}


@given(phones, st.sampled_from(["", "+86 ", "0086", "86"]))
def test_masked_phone_keeps_last_four(value: str, prefix: str) -> None:
    masked = mask_phone(prefix + value)
    assert masked == "*" * 7 + value[-4:]


@given(st.lists(st.one_of(ids, phones, st.text(alphabet="abc ,:;", max_size=5)), max_size=6))
def test_mask_text_never_leaks(parts: list[str]) -> None:
    text = " ".join(parts)
    masked = mask_text(text)
    for part in parts:
        if len(part) >= 11 and part[0].isdigit():
            assert part not in masked

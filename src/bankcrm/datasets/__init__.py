"""A seeded synthetic bank with ground truth, for examples, tests and benchmarks.

:func:`synthetic_bank` generates everything at once; each shape also has its own generator with
its own size knobs, so a benchmark can scale one shape alone:

- :func:`generate_records` / :func:`generate_people`: customer records in five product systems,
  duplicated and damaged at documented rates (:class:`DamageRates`), and the true people;
- :func:`generate_transactions`: heavy-tailed customer transactions (tens of millions of rows);
- :func:`generate_accounts`: accounts, balance snapshots and change events, FX rates;
- :func:`generate_parties`: corporate groups, holdings, control, ties, credit facilities,
  guarantees, capital, the true groups and economically dependent clients with their truth.

Every generator is deterministic for its seed and draws from its own random stream.

>>> bank = synthetic_bank(100, seed=1)
>>> bank.records.columns[:4].tolist()
['source_system', 'source_id', 'name', 'name_latin']
"""

from bankcrm.datasets._accounts import (
    ASSET_CLASSES,
    CURRENCIES,
    AccountFrames,
    generate_accounts,
    generate_fx_rates,
)
from bankcrm.datasets._bank import FRAME_NAMES, SyntheticBank, synthetic_bank
from bankcrm.datasets._damage import DAMAGE_KINDS, DamageRates
from bankcrm.datasets._io import FILE_FORMATS, write_bank
from bankcrm.datasets._parties import (
    DEPENDENCY_REASONS,
    OFF_BALANCE_PRODUCTS,
    ON_BALANCE_PRODUCTS,
    PRODUCT_TYPES,
    PartyFrames,
    generate_parties,
)
from bankcrm.datasets._records import SOURCE_SYSTEMS, generate_people, generate_records
from bankcrm.datasets._transactions import generate_transactions

__all__ = [
    "ASSET_CLASSES",
    "CURRENCIES",
    "DAMAGE_KINDS",
    "DEPENDENCY_REASONS",
    "FILE_FORMATS",
    "FRAME_NAMES",
    "OFF_BALANCE_PRODUCTS",
    "ON_BALANCE_PRODUCTS",
    "PRODUCT_TYPES",
    "SOURCE_SYSTEMS",
    "AccountFrames",
    "DamageRates",
    "PartyFrames",
    "SyntheticBank",
    "generate_accounts",
    "generate_fx_rates",
    "generate_parties",
    "generate_people",
    "generate_records",
    "generate_transactions",
    "synthetic_bank",
    "write_bank",
]

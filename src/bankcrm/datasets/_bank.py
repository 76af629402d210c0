"""The synthetic bank: every shape generated for one seed, bundled with its settings.

>>> bank = synthetic_bank(200, seed=7)
>>> bank.records["person_id"].nunique()
200
>>> list(bank.frames())[:4]
['people', 'records', 'transactions', 'accounts']
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

import attrs
import pandas as pd

from bankcrm.calendar import DateLike, as_date
from bankcrm.datasets._accounts import generate_accounts
from bankcrm.datasets._common import (
    DEFAULT_END,
    DEFAULT_START,
    check_count,
    check_date_order,
    check_ratio,
    check_seed,
)
from bankcrm.datasets._damage import DamageRates
from bankcrm.datasets._parties import generate_parties
from bankcrm.datasets._records import (
    check_residency_rates,
    draw_people,
    people_frame,
    records_frame,
)
from bankcrm.datasets._transactions import generate_transactions
from bankcrm.errors import InputError

__all__ = ["FRAME_NAMES", "SyntheticBank", "synthetic_bank"]

#: The frames of a :class:`SyntheticBank`, in the order :meth:`SyntheticBank.frames` lists them.
FRAME_NAMES: tuple[str, ...] = (
    "people",
    "records",
    "transactions",
    "accounts",
    "balances",
    "balance_changes",
    "fx_rates",
    "parties",
    "holdings",
    "control_arrangements",
    "person_ties",
    "facilities",
    "guarantees",
    "capital",
    "groups",
    "dependencies",
    "connected_groups",
)

#: Defaults that scale with the number of customers.
TRANSACTIONS_PER_CUSTOMER = 20
CUSTOMERS_PER_GROUP = 500


@attrs.frozen(eq=False)
class SyntheticBank:
    """A generated bank: the frames of every module plus the settings that produced them.

    The attributes cannot be reassigned; the frames are ordinary DataFrames (copy before
    editing one, so that other users of the bundle keep seeing the generated data).

    Attributes:
        people: the true identities (one row per person; ``person_id`` = ``customer_id``).
        records: customer records in five product systems, damaged, with truth columns.
        transactions: ``customer_id``, ``date``, ``amount``.
        accounts: see :func:`generate_accounts`, like ``balances``, ``balance_changes`` and
            ``fx_rates``.
        parties: see :func:`generate_parties`, like ``holdings``, ``control_arrangements``,
            ``person_ties``, ``facilities``, ``guarantees``, ``capital``, ``groups``,
            ``dependencies`` and ``connected_groups``.
        seed: the seed; ``n_customers``, ``start``, ``end``, ``as_of``, ``duplication_rate``
            and ``damage`` are the other settings.
    """

    people: pd.DataFrame
    records: pd.DataFrame
    transactions: pd.DataFrame
    accounts: pd.DataFrame
    balances: pd.DataFrame
    balance_changes: pd.DataFrame
    fx_rates: pd.DataFrame
    parties: pd.DataFrame
    holdings: pd.DataFrame
    control_arrangements: pd.DataFrame
    person_ties: pd.DataFrame
    facilities: pd.DataFrame
    guarantees: pd.DataFrame
    capital: pd.DataFrame
    groups: pd.DataFrame
    dependencies: pd.DataFrame
    connected_groups: pd.DataFrame
    seed: int
    n_customers: int
    start: dt.date
    end: dt.date
    as_of: dt.date
    duplication_rate: float
    damage: DamageRates

    def frames(self) -> dict[str, pd.DataFrame]:
        """Every frame by name, in :data:`FRAME_NAMES` order."""
        return {name: getattr(self, name) for name in FRAME_NAMES}

    def settings(self) -> dict[str, object]:
        """The generator settings as plain JSON-friendly values."""
        return {
            "seed": self.seed,
            "n_customers": self.n_customers,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "as_of": self.as_of.isoformat(),
            "duplication_rate": self.duplication_rate,
            "damage": attrs.asdict(self.damage),
        }


def synthetic_bank(
    n_customers: int,
    *,
    seed: int,
    n_transactions: int | None = None,
    duplication_rate: float = 0.20,
    damage: DamageRates | None = None,
    accounts_per_customer: float = 2.2,
    n_groups: int | None = None,
    minority_stakes_per_firm: float = 0.0,
    start: DateLike = DEFAULT_START,
    end: DateLike = DEFAULT_END,
    as_of: DateLike | None = None,
    hmt_rate: float = 0.004,
    foreign_rate: float = 0.003,
    progress: Callable[[str], None] | None = None,
) -> SyntheticBank:
    """Generate a whole synthetic bank for ``seed``.

    Each shape comes from its own generator and its own random stream, so changing one knob
    (say ``n_transactions``) leaves every other frame unchanged.

    Args:
        n_customers: distinct people; they are the customers ``1..n`` of every frame.
        seed: the random seed; the same arguments always give the same bank.
        n_transactions: transaction rows (default 20 per customer).
        duplication_rate: extra records of already-present people (share of ``n_customers``).
        damage: record damage rates (default :class:`DamageRates` ()).
        accounts_per_customer: mean accounts per customer.
        n_groups: corporate groups (default one per 500 customers, at least 10).
        minority_stakes_per_firm: extra minority cross-holdings between groups per firm (see
            :func:`~bankcrm.datasets.generate_parties`; default 0).
        start: first day of transaction and balance history.
        end: last day of the history and the credit reporting date.
        as_of: the date records are extracted (default ``end``).
        hmt_rate: share of Hong Kong / Macau / Taiwan residents.
        foreign_rate: share of foreigners.
        progress: called with a short message before each shape is generated.

    Returns:
        A :class:`SyntheticBank`.

    Raises:
        InputError: a size, rate or date is invalid.
    """
    n = check_count(n_customers, "n_customers", minimum=1)
    seed = check_seed(seed)
    tx = TRANSACTIONS_PER_CUSTOMER * n if n_transactions is None else n_transactions
    tx = check_count(tx, "n_transactions")
    groups = max(10, n // CUSTOMERS_PER_GROUP) if n_groups is None else n_groups
    groups = check_count(groups, "n_groups")
    dup = check_ratio(duplication_rate, "duplication_rate", maximum=10.0)
    rates = DamageRates() if damage is None else damage
    if not isinstance(rates, DamageRates):
        raise InputError("must be a DamageRates", column="damage", rule="type")
    start, end = check_date_order(start, end)
    extracted = end if as_of is None else as_date(as_of, name="as_of")
    check_residency_rates(hmt_rate, foreign_rate)
    if progress is not None and not callable(progress):
        raise InputError("must be a callable or None", column="progress", rule="type")
    say = progress or (lambda message: None)

    say(f"people and records ({n:,} people)")
    truth = draw_people(n, seed, extracted, hmt_rate, foreign_rate)
    people = people_frame(truth)
    records = records_frame(truth, seed=seed, duplication_rate=dup, damage=rates, as_of=extracted)
    del truth
    say(f"transactions ({tx:,} rows)")
    transactions = generate_transactions(n, tx, seed=seed, start=start, end=end)
    say("accounts and balances")
    accounts = generate_accounts(
        n, seed=seed, start=start, end=end, accounts_per_customer=accounts_per_customer
    )
    say(f"parties ({groups:,} corporate groups)")
    parties = generate_parties(
        groups, seed=seed, start=start, end=end, minority_stakes_per_firm=minority_stakes_per_firm
    )
    return SyntheticBank(
        people=people,
        records=records,
        transactions=transactions,
        accounts=accounts.accounts,
        balances=accounts.balances,
        balance_changes=accounts.balance_changes,
        fx_rates=accounts.fx_rates,
        parties=parties.parties,
        holdings=parties.holdings,
        control_arrangements=parties.control_arrangements,
        person_ties=parties.person_ties,
        facilities=parties.facilities,
        guarantees=parties.guarantees,
        capital=parties.capital,
        groups=parties.groups,
        dependencies=parties.dependencies,
        connected_groups=parties.connected_groups,
        seed=seed,
        n_customers=n,
        start=start,
        end=end,
        as_of=extracted,
        duplication_rate=dup,
        damage=rates,
    )

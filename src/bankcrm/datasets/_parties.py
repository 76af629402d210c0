"""Parties for credit: corporate groups, the people and the State behind them, and their credit.

Each true group has a top company and a tree of subsidiaries (so chains of control: 60 % of
60 % is control), controlled by one person, by a family whose members only together hold more
than half, or by a local state-asset supervisor. Firms also hold minority stakes across groups,
hold a little of their own parent (cross-holdings: ownership cycles), sometimes vote more than
their equity, and sometimes control a firm by a non-equity arrangement (board majority, VIE
contract, entrusted management). Boundary cases are deliberate:

- a joint venture held 50 % / 50 % by two groups is controlled by neither (control is *more
  than* 50 %; under a "50 % or more" rule it would join both groups);
- a company whose family owners hold exactly 10 % + 20 % + 20 % = 50 % is not family controlled
  (the family is a group of its own, controlling nothing);
- firms controlled by the same state-asset supervisor are separate groups (the State's control
  does not make one group).

The true groups follow control of **more than 50 % of the votes**, counted through controlled
intermediaries and summed over a family (person ties) or a controller's controlled firms, plus
control arrangements. Shares are exact :class:`~decimal.Decimal` values with four decimal places
(``Decimal("0.5100")``), never floats; amounts are float64 yuan with two decimals.

Economically dependent clients (``dependencies``: major customers, shared funding, guarantee
chains) join some groups into groups of connected clients (the 2018 large-exposure rules) without
changing control; ``connected_groups`` is their truth. ``minority_stakes_per_firm`` adds minority
cross-holdings that never change control, for benchmarks that need two holdings per party.

Speed: one Python pass decides the structure (it draws scalars from blocks of vectorised
uniforms); names, codes, identity numbers, credit and stakes are drawn with numpy for all parties
at once. A million parties take about 15-30 s.

>>> frames = generate_parties(5, seed=1)
>>> set(frames.groups["party_id"]) == set(frames.parties["party_id"])
True
>>> all(0 <= s <= 1 for s in frames.holdings["equity_share"])
True
"""

from __future__ import annotations

import bisect
import datetime as dt
import gc
from collections.abc import Callable, Sequence
from decimal import Decimal

import attrs
import numpy as np
import numpy.typing as npt
import pandas as pd

from bankcrm.calendar import DateLike
from bankcrm.datasets._common import (
    DEFAULT_END,
    DEFAULT_START,
    Shape,
    check_count,
    check_date_order,
    check_seed,
    stream,
    ymd,
)
from bankcrm.datasets._idnumbers import body, ric_numbers
from bankcrm.datasets._pools import given_name_pool, region_pool, surname_pool
from bankcrm.errors import InputError
from bankcrm.identity.checksums import (
    ORG_CODE_ALPHABET,
    USCC_ALPHABET,
    org_code_check_char,
    uscc_check_char,
)

__all__ = [
    "DEPENDENCY_REASONS",
    "OFF_BALANCE_PRODUCTS",
    "ON_BALANCE_PRODUCTS",
    "PRODUCT_TYPES",
    "PartyFrames",
    "generate_parties",
    "make_uscc",
]

IntArray = npt.NDArray[np.int64]

#: Credit products: on-balance-sheet items carry a drawn amount, off-balance
#: items a nominal amount in ``undrawn`` (to which a credit conversion factor applies).
ON_BALANCE_PRODUCTS: tuple[str, ...] = (
    "loan",
    "trade_finance",
    "bill_financing",
    "financial_leasing",
    "overdraft",
    "advance",
)
OFF_BALANCE_PRODUCTS: tuple[str, ...] = (
    "bill_acceptance",
    "letter_of_credit",
    "guarantee",
    "standby_lc",
    "lc_confirmation",
    "bond_issuance_guarantee",
    "loan_guarantee",
    "asset_sale_with_recourse",
    "unused_irrevocable_commitment",
)
PRODUCT_TYPES: tuple[str, ...] = ON_BALANCE_PRODUCTS + OFF_BALANCE_PRODUCTS
_PRODUCT_SHARES = np.array(
    [0.40, 0.06, 0.06, 0.03, 0.03, 0.02, 0.10, 0.05, 0.05, 0.03, 0.01, 0.01, 0.02, 0.01, 0.12]
)
# Original maturity ranges in months per product (low, high).
_MATURITY = {
    "loan": (6, 120),
    "trade_finance": (3, 12),
    "bill_financing": (1, 6),
    "financial_leasing": (24, 96),
    "overdraft": (12, 12),
    "advance": (1, 6),
    "bill_acceptance": (3, 6),
    "letter_of_credit": (1, 12),
    "guarantee": (6, 36),
    "standby_lc": (6, 24),
    "lc_confirmation": (1, 12),
    "bond_issuance_guarantee": (36, 84),
    "loan_guarantee": (12, 60),
    "asset_sale_with_recourse": (6, 36),
    "unused_irrevocable_commitment": (6, 60),
}

_INDUSTRIES = (
    "科技",
    "贸易",
    "实业",
    "地产",
    "建设",
    "投资",
    "物流",
    "能源",
    "医药",
    "食品",
    "机械",
    "化工",
    "电子",
    "传媒",
)
_ARRANGEMENTS = ("board_majority", "vie_agreement", "entrusted_management")

#: Non-enterprise legal persons among standalone parties: (authority, entity type, name
#: template, weight). GB 32100 authorities: 1 institutional establishment (2 = public
#: institution), 5 civil affairs (1 social group, 2 private non-enterprise unit, 3 foundation),
#: N agriculture (2 village collective economic organisation), Y other.
_OTHER_ORGANISATIONS_SHARE = 0.12
_OTHER_ORGANISATIONS = (
    ("1", "2", "{city}{brand}医院", 0.25),
    ("5", "1", "{city}{brand}商会", 0.2),
    ("5", "2", "{city}{brand}培训学校", 0.2),
    ("5", "3", "{brand}公益基金会", 0.1),
    ("N", "2", "{city}{brand}村股份经济合作社", 0.15),
    ("Y", "1", "{city}{brand}律师事务所", 0.1),
)
_OTHER_CDF = np.cumsum([o[3] for o in _OTHER_ORGANISATIONS])
_OTHER_CDF[-1] = 1.0

#: Shares of groups by kind of ultimate controller.
_CONTROLLER_SHARES = {"person": 0.35, "family": 0.35, "state": 0.15, "widely_held": 0.15}


def make_uscc(authority: str, entity_type: str, region: int, org_body: str) -> str:
    """A Unified Social Credit Code with both check characters computed (GB 32100 / GB 11714).

    >>> make_uscc("9", "1", 350100, "M000100Y")
    '91350100M000100Y43'
    """
    org = org_body + org_code_check_char(org_body)
    head = f"{authority}{entity_type}{region:06d}{org}"
    return head + uscc_check_char(head)


@attrs.frozen(eq=False)
class PartyFrames:
    """The frames of :func:`generate_parties`."""

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


def _bp(value: int) -> Decimal:
    """Basis points of one (0..10 000) as an exact four-place decimal share."""
    return Decimal(value).scaleb(-4)


#: Every share the generator can write, by basis points (Decimals are immutable: shared).
_SHARES = np.array([_bp(i) for i in range(10_001)], dtype=object)

#: Random streams of the party shape (``stream(seed, Shape.PARTIES, part)``), one per stage so
#: that a knob of one stage leaves the others' draws alone.
_STRUCTURE, _IDENTITIES, _CREDIT, _STAKES, _DEPENDENCIES = range(5)


class _Uniforms:
    """Scalar uniform draws served from vectorised blocks (one numpy call per 65,536)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.block: list[float] = []
        self.at = 0

    def __call__(self) -> float:
        if self.at == len(self.block):
            self.block = self.rng.random(1 << 16).tolist()
            self.at = 0
        value = self.block[self.at]
        self.at += 1
        return value

    def int(self, low: int, high: int) -> int:
        """An integer in ``[low, high)``."""
        return low + int(self() * (high - low))


class _Builder:
    """Accumulates rows: the structure in one Python pass, identities vectorised afterwards.

    The pass decides only what the rules need (who holds what, which family, which group);
    everything drawn per party that no rule reads (regions, code bodies, given names, birthdays,
    identity numbers) is drawn for all parties at once by :meth:`parties_frame`.
    """

    def __init__(self, rng: np.random.Generator) -> None:
        self.u = _Uniforms(rng)
        self.ids: list[str] = []
        self.kinds: list[str] = []
        self.names: list[str | None] = []  # None for persons (named in parties_frame)
        self.authority: list[str] = []  # "" for persons
        self.entity_type: list[str] = []
        self.flags: dict[int, tuple[bool, bool, bool]] = {}  # interbank, gsib, exempt
        self.person_at: list[int] = []
        self.company_at: list[int] = []
        self.company_brand: list[str] = []
        self.company_top: list[bool] = []
        self.born: list[int] = []
        self.surname: list[int] = []
        self.holdings: list[tuple[str, str, int, int]] = []
        self.arrangements: list[tuple[str, str, str]] = []
        self.ties: list[tuple[str, str, str]] = []
        self.group_of: dict[str, tuple[str, str]] = {}
        self.counters = {"C": 0, "N": 0, "S": 0}
        self.surnames: dict[str, int] = {}
        self.n_groups = 0
        self.sur = surname_pool()
        self.given = given_name_pool()
        self.given_chars: list[str] = [str(c) for c in self.given.chars]
        self.regions = region_pool()
        self.places: list[str] = [str(p) for p in self.regions.place]
        self.region_cdf = np.cumsum(self.regions.probabilities)
        self.region_cdf[-1] = 1.0
        surname_cdf = np.cumsum(self.sur.probabilities)
        surname_cdf[-1] = 1.0
        self.surname_cdf: list[float] = surname_cdf.tolist()

    # -- identifiers -------------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        self.counters[prefix] += 1
        return f"{prefix}{self.counters[prefix]:07d}"

    def new_group(self) -> str:
        self.n_groups += 1
        return f"GRP{self.n_groups:07d}"

    # -- parties -----------------------------------------------------------------------
    def organisation(
        self,
        kind: str,
        name: str,
        authority: str,
        entity_type: str,
        *,
        interbank: bool = False,
        gsib: bool = False,
        exempt: bool = False,
    ) -> str:
        party_id = self.new_id("S" if kind in {"government", "sovereign", "central_bank"} else "C")
        self.ids.append(party_id)
        self.kinds.append(kind)
        self.names.append(name)
        self.authority.append(authority)
        self.entity_type.append(entity_type)
        if interbank or gsib or exempt:
            self.flags[len(self.ids) - 1] = (interbank, gsib, exempt)
        return party_id

    def company(self, brand: str, *, top: bool = False) -> str:
        """A company of ``brand``; its name and entity type are drawn in :meth:`parties_frame`."""
        self.company_at.append(len(self.ids))
        self.company_brand.append(brand)
        self.company_top.append(top)
        return self.organisation("corporate", "", "9", "1")

    def other_organisation(self) -> str:
        """A legal person that is not an enterprise (registration authority 1, 5, N or Y)."""
        at = bisect.bisect_right(_OTHER_CDF_LIST, self.u())
        authority, entity_type, template, _ = _OTHER_ORGANISATIONS[at]
        city = self.places[self.u.int(0, len(self.places))]
        name = template.format(city=city[:3], brand=self.brand())
        return self.organisation("organisation", name, authority, entity_type)

    def brand(self) -> str:
        chars, n = self.given_chars, len(self.given_chars)
        return chars[self.u.int(0, n)] + chars[self.u.int(0, n)]

    def person(self, surname: int | None = None, born: int = 1970) -> str:
        party_id = self.new_id("N")
        s = bisect.bisect_right(self.surname_cdf, self.u()) if surname is None else surname
        self.person_at.append(len(self.ids))
        self.born.append(born)
        self.surname.append(s)
        self.surnames[party_id] = s
        self.ids.append(party_id)
        self.kinds.append("person")
        self.names.append(None)
        self.authority.append("")
        self.entity_type.append("")
        return party_id

    def surname_of(self, party_id: str) -> int:
        return self.surnames[party_id]

    def hold(self, owner: str, owned: str, equity_bp: int, voting_bp: int | None = None) -> None:
        self.holdings.append(
            (owner, owned, equity_bp, equity_bp if voting_bp is None else voting_bp)
        )

    def assign(self, party_id: str, group_id: str, role: str) -> None:
        self.group_of[party_id] = (group_id, role)

    # -- identities, all at once -------------------------------------------------------
    def name_companies(self, rng: np.random.Generator, names: npt.NDArray[np.object_]) -> None:
        """Company names: brand, industry and legal form; subsidiaries also a city."""
        k = len(self.company_at)
        industry = np.array(_INDUSTRIES)[rng.integers(0, len(_INDUSTRIES), k)]
        city = np.strings.slice(
            self.regions.place[rng.integers(0, len(self.regions.place), k)], 0, 3
        )
        form = np.where(rng.random(k) < 0.2, "股份有限公司", "有限公司")
        top = np.array(self.company_top, dtype=bool)
        brand = np.array(self.company_brand, dtype=str)
        stem = np.strings.add(brand, industry)
        named = np.where(
            top,
            np.strings.add(stem, "集团有限公司"),
            np.strings.add(np.strings.add(city, stem), form),
        )
        names[np.array(self.company_at, dtype=np.int64)] = named.astype(object)

    def parties_frame(self, rng: np.random.Generator) -> pd.DataFrame:
        """The parties with names, credit codes and identity numbers drawn in bulk."""
        n = len(self.ids)
        names = np.array(self.names, dtype=object)
        uscc = np.full(n, None, dtype=object)
        id_number = np.full(n, None, dtype=object)
        person_at = np.array(self.person_at, dtype=np.int64)
        is_org = np.ones(n, dtype=bool)
        is_org[person_at] = False
        org_at = np.flatnonzero(is_org)
        self.name_companies(rng, names)
        # Organisations: a city-level registration region and a unique GB 11714 body.
        regions = self.regions.codes[
            np.searchsorted(self.region_cdf, rng.random(len(org_at)), side="right")
        ]
        bodies = _org_bodies(rng, len(org_at))
        authority = np.array(self.authority, dtype="U1")[org_at]
        entity_types = np.array(self.entity_type, dtype="U1")
        company_at = np.array(self.company_at, dtype=np.int64)
        # Enterprises; a few cooperatives.
        entity_types[company_at] = np.where(rng.random(len(company_at)) < 0.97, "1", "3")
        entity_type = entity_types[org_at]
        uscc[org_at] = _usccs(authority, entity_type, regions // 100 * 100, bodies).astype(object)
        # Persons: given names, sex, birthday, home region and a unique identity body.
        m = len(person_at)
        given = self.given.chars[rng.integers(0, len(self.given.chars), (m, 2))]
        surnames = self.sur.chars[np.array(self.surname, dtype=np.int64)]
        names[person_at] = np.strings.add(
            np.strings.add(surnames, given[:, 0]), given[:, 1]
        ).astype(object)
        male = rng.random(m) < 0.5
        days = (np.array(self.born, dtype="int64") - 1970).astype("datetime64[Y]").astype(
            "datetime64[D]"
        ) + rng.integers(0, 365, m).astype("timedelta64[D]")
        home = self.regions.codes[rng.integers(0, len(self.regions.codes), m)]
        birth = ymd(days)

        def draw_bodies(rows: IntArray) -> IntArray:
            seq = 2 * rng.integers(1, 500, len(rows)) - male[rows].astype(np.int64)
            return body(home[rows], birth[rows], seq)

        person_bodies = _unique_draws(draw_bodies, m)
        id_number[person_at] = ric_numbers(person_bodies).astype(object)
        flags = np.zeros((n, 3), dtype=bool)
        for at, values in self.flags.items():
            flags[at] = values
        return pd.DataFrame(
            {
                "party_id": pd.Series(self.ids, dtype="str"),
                "kind": pd.Series(self.kinds, dtype="str"),
                "name": pd.Series(names, dtype="str"),
                "uscc": pd.Series(uscc, dtype="str").where(pd.Series(uscc).notna()),
                "id_number": pd.Series(id_number, dtype="str").where(pd.Series(id_number).notna()),
                "interbank": flags[:, 0],
                "gsib": flags[:, 1],
                "exempt": flags[:, 2],
            }
        )


_OTHER_CDF_LIST: list[float] = _OTHER_CDF.tolist()


def _unique_draws(draw: Callable[[IntArray], IntArray], n: int) -> IntArray:
    """``draw(rows)`` for rows ``0..n-1``, redrawing later duplicates until all are distinct."""
    values = draw(np.arange(n, dtype=np.int64))
    while True:
        _, first = np.unique(values, return_index=True)
        repeat = np.ones(n, dtype=bool)
        repeat[first] = False
        rows = np.flatnonzero(repeat)
        if len(rows) == 0:
            return values
        values[rows] = draw(rows)


_DIGITS = np.frombuffer(b"0123456789", dtype=np.uint8)
_USCC_CODES = np.frombuffer(USCC_ALPHABET.encode(), dtype=np.uint8)


def _org_bodies(rng: np.random.Generator, n: int) -> npt.NDArray[np.uint8]:
    """``n`` distinct GB 11714 bodies as ASCII bytes: 60 % ``MA`` + six code characters."""

    def draw(rows: IntArray) -> IntArray:
        k = len(rows)
        letters = rng.random(k) < 0.6
        tail = _USCC_CODES[rng.integers(0, 31, (k, 6))]
        digits = _DIGITS[rng.integers(0, 10, (k, 8))]
        chars = digits.copy()
        chars[letters, 0] = ord("M")
        chars[letters, 1] = ord("A")
        chars[letters, 2:] = tail[letters]
        packed: IntArray = (
            chars.astype(np.uint64)
            .dot(np.array([1 << (8 * i) for i in range(8)], dtype=np.uint64))
            .astype(np.int64)
        )
        return packed

    packed = _unique_draws(draw, n)
    out: npt.NDArray[np.uint8] = (
        (packed.astype(np.uint64)[:, None] >> np.arange(0, 64, 8, dtype=np.uint64)) & 0xFF
    ).astype(np.uint8)
    return out


def _char_values(chars: npt.NDArray[np.uint8], alphabet: str) -> IntArray:
    """Each ASCII byte's index in ``alphabet``."""
    table = np.full(256, -1, dtype=np.int64)
    table[np.frombuffer(alphabet.encode(), dtype=np.uint8)] = np.arange(len(alphabet))
    values: IntArray = table[chars]
    return values


def _usccs(
    authority: npt.NDArray[np.str_],
    entity_type: npt.NDArray[np.str_],
    region: IntArray,
    bodies: npt.NDArray[np.uint8],
) -> npt.NDArray[np.str_]:
    """:func:`make_uscc` for many codes at once (the same check characters, as numpy sums)."""
    n = len(region)
    if n == 0:
        return np.array([], dtype="U18")
    weights = np.array([3, 7, 9, 10, 5, 8, 4, 2], dtype=np.int64)  # GB 11714
    check = (11 - _char_values(bodies, ORG_CODE_ALPHABET) @ weights % 11) % 11
    check_char = np.where(check == 10, ord("X"), ord("0") + check).astype(np.uint8)
    region_chars = ((region[:, None] // 10 ** np.arange(5, -1, -1)) % 10 + ord("0")).astype(
        np.uint8
    )
    head = np.concatenate(
        [
            np.frombuffer("".join(authority.tolist()).encode(), dtype=np.uint8)[:, None],
            np.frombuffer("".join(entity_type.tolist()).encode(), dtype=np.uint8)[:, None],
            region_chars,
            bodies,
            check_char[:, None],
        ],
        axis=1,
    )
    uscc_weights = np.array([pow(3, i, 31) for i in range(17)], dtype=np.int64)  # GB 32100
    total = _char_values(head, USCC_ALPHABET) @ uscc_weights
    last = _USCC_CODES[(31 - total % 31) % 31]
    codes = np.ascontiguousarray(np.concatenate([head, last[:, None]], axis=1))
    result: npt.NDArray[np.str_] = codes.view("S18").ravel().astype("U18")
    return result


def _family(b: _Builder, size: int) -> list[str]:
    """A family: a couple, then children (sharing the father's surname) and ties between them."""
    u = b.u
    born = u.int(1950, 1975)
    head = b.person(born=born)
    members = [head]
    if size >= 2:
        spouse = b.person(born=born + u.int(-3, 4))
        b.ties.append((head, spouse, "spouse"))
        members.append(spouse)
    surname = b.surname_of(head)
    children = [b.person(surname=surname, born=born + u.int(22, 35)) for _ in range(size - 2)]
    for child in children:
        for parent in members[:2]:
            b.ties.append((parent, child, "parent_child"))
    for i, first in enumerate(children):
        for second in children[i + 1 :]:
            b.ties.append((first, second, "sibling"))
    return members + children


def _split(b: _Builder, total: int, parts: int) -> list[int]:
    """Split ``total`` basis points into ``parts`` positive integers (random proportions)."""
    if parts <= 0 or total <= 0:
        return []
    wanted = min(parts - 1, total - 1)
    cuts: set[int] = set()
    while len(cuts) < wanted:  # distinct cut points in 1..total-1
        cuts.add(b.u.int(1, total))
    bounds = [0, *sorted(cuts), total]
    return [bounds[i + 1] - bounds[i] for i in range(len(bounds) - 1)]


_CONTROLLER_KINDS = tuple(_CONTROLLER_SHARES)


def _group(b: _Builder, supervisors: Sequence[str], size: int, controller: str) -> list[str]:
    """One true group: a controller, a top company and its subsidiaries; returns the firms."""
    u = b.u
    group_id = b.new_group()
    brand = b.brand()
    firms = [b.company(brand, top=True)]
    top = firms[0]
    b.assign(top, group_id, "member")
    # The top company's shareholders; 500 bp are kept free for a subsidiary's cross-holding.
    if controller == "person":
        owner = b.person(born=u.int(1950, 1985))
        b.hold(owner, top, u.int(5_001, 9_501))
        b.assign(owner, group_id, "controller")
    elif controller == "family":
        family = _family(b, u.int(2, 5))
        holders = family[: u.int(2, len(family) + 1)]
        shares = _split(b, u.int(5_001, 9_001), len(holders))
        for holder, share in zip(holders, shares, strict=False):
            b.hold(holder, top, share)
        for member in family:
            b.assign(member, group_id, "controller")
    elif controller == "state":
        b.hold(supervisors[u.int(0, len(supervisors))], top, u.int(5_100, 9_501))
    else:  # widely held: several unrelated people, none with control
        for _ in range(u.int(3, 6)):
            holder = b.person(born=u.int(1950, 1990))
            b.hold(holder, top, u.int(500, 1_500))
            b.assign(holder, b.new_group(), "standalone")
    # Subsidiaries: each controlled by an earlier member (chains form when that is not the top).
    for j in range(1, size):
        parent = firms[int(j * u() ** 2)]
        firm = b.company(brand)
        firms.append(firm)
        b.assign(firm, group_id, "member")
        if u() < 0.1:  # votes without equity: 40 % of the shares, 55 % of the votes
            equity = u.int(3_000, 5_000)
            voting = u.int(5_100, 6_000)
        else:
            equity = voting = u.int(5_100, 10_001)
        b.hold(parent, firm, equity, voting)
        rest = 10_000 - max(equity, voting)
        if rest > 0 and u() < 0.5:
            minority = b.person(born=u.int(1955, 1995))
            b.hold(minority, firm, u.int(1, rest + 1))
            b.assign(minority, b.new_group(), "standalone")
    if len(firms) > 2 and u() < 0.3:  # a subsidiary holds a little of the top
        b.hold(firms[-1], top, u.int(100, 501))
    if u() < 0.1:  # control by arrangement over a firm the group owns little of
        firm = b.company(brand)
        b.hold(top, firm, u.int(1_000, 3_000))
        b.arrangements.append((top, firm, _ARRANGEMENTS[u.int(0, 3)]))
        b.assign(firm, group_id, "member")
        firms.append(firm)
    return firms


def _capital_frame(
    exposure_by_group: dict[str, float], start: dt.date, end: dt.date
) -> pd.DataFrame:
    """Quarter-end capital: the largest group's nominal credit is about 16 % of net capital.

    (Nominal: before credit conversion factors and FX, so whether it breaches 15 % after them
    is for the credit module to find out.) The reporting date ``end`` always has a row, even
    when it is not a quarter end, so that limits can be checked on it.
    """
    largest = max(exposure_by_group.values(), default=1_000_000.0)
    net = round(largest / 0.16, -2)
    days = pd.date_range(pd.Timestamp(start), pd.Timestamp(end), freq="QE")
    if len(days) == 0 or days[-1] != pd.Timestamp(end):
        days = pd.DatetimeIndex(days.append(pd.DatetimeIndex([pd.Timestamp(end)])))
    growth = np.linspace(0.94, 1.0, len(days))
    net_capital = np.round(net * growth, 2)
    return pd.DataFrame(
        {
            "date": days.astype("datetime64[s]"),
            "net_capital": net_capital,
            "tier1_capital": np.round(net_capital * 0.85, 2),
        }
    )


def generate_parties(
    n_groups: int,
    *,
    seed: int,
    n_standalone: int | None = None,
    minority_stakes_per_firm: float = 0.0,
    start: DateLike = DEFAULT_START,
    end: DateLike = DEFAULT_END,
) -> PartyFrames:
    """Corporate groups, standalone firms, banks and the State, with their credit.

    Args:
        n_groups: how many multi-firm groups.
        seed: the random seed; the same arguments always give the same frames.
        n_standalone: standalone firms (default ``2 × n_groups``).
        minority_stakes_per_firm: extra minority cross-holdings between groups, per firm of
            a group (default 0; about 1.6 gives two holdings per party). Each goes into a firm
            that one holder already controls with more than 50 % of the votes and fits in the
            firm's unallotted shares, so all other holders together stay below one half and no
            stake changes control: the true groups are the same with or without them. They
            come from a stream of their own, so the other frames do not change either.
        start: first day of the credit history (facility start dates, capital dates).
        end: the reporting date (facilities are outstanding on it; last capital date).

    Returns:
        :class:`PartyFrames` with ``parties`` (``party_id``, ``kind``, ``name``, ``uscc``,
        ``id_number``, ``interbank``, ``gsib``, ``exempt``), ``holdings`` (``owner_id``,
        ``owned_id``, ``equity_share``, ``voting_share`` as Decimal), ``control_arrangements``
        (``controller_id``, ``controlled_id``, ``kind``), ``person_ties`` (``person_a``,
        ``person_b``, ``relation``: spouse, parent_child with ``person_a`` the parent, sibling),
        ``facilities``, ``guarantees`` (``guarantor_id``, ``obligor_id``, ``amount``,
        ``currency``, ``circle``), ``capital`` (``date``, ``net_capital``, ``tier1_capital``),
        ``groups`` (``party_id``, ``group_id``, ``role``: ``controller`` (persons controlling
        the group), ``member``, ``joint_venture``, ``standalone`` or ``family`` (related persons
        who control nothing)), ``dependencies`` (``party_a``, ``party_b``, ``reason``:
        ``major_customer``, ``guarantee_chain`` or ``shared_funding``, between firms of
        different groups) and ``connected_groups`` (``group_id``, ``connected_group_id``: every
        group of ``groups`` and the smallest group id it is joined to by dependencies).
    """
    n_groups = check_count(n_groups, "n_groups")
    standalone = 2 * n_groups if n_standalone is None else check_count(n_standalone, "n_standalone")
    stakes_per_firm = _check_stakes(minority_stakes_per_firm)
    start, end = check_date_order(start, end)
    seed = check_seed(seed)
    # Millions of small tuples and no reference cycles: the cyclic collector would only rescan
    # the growing heap again and again (a third of the time at a million parties).
    collecting = gc.isenabled()
    gc.disable()
    try:
        return _generate(n_groups, seed, standalone, stakes_per_firm, start, end)
    finally:
        if collecting:
            gc.enable()


def _generate(
    n_groups: int,
    seed: int,
    standalone: int,
    stakes_per_firm: float,
    start: dt.date,
    end: dt.date,
) -> PartyFrames:
    """:func:`generate_parties` after its arguments are checked."""
    rng = stream(seed, Shape.PARTIES, _STRUCTURE)
    b = _Builder(rng)
    u = b.u

    # The State and the financial sector.
    mof = b.organisation("sovereign", "中华人民共和国财政部", "1", "1", exempt=True)
    pboc = b.organisation("central_bank", "中国人民银行", "1", "1", exempt=True)
    b.assign(mof, b.new_group(), "standalone")
    b.assign(pboc, b.new_group(), "standalone")
    supervisors = []
    for city in ("北京市", "上海市", "广东省", "江苏省"):
        sup = b.organisation("government", f"{city}人民政府国有资产监督管理委员会", "1", "1")
        b.assign(sup, b.new_group(), "standalone")
        supervisors.append(sup)
    banks = []
    for i in range(6):
        gsib = i < 3
        name = f"{b.brand()}银行股份有限公司" if not gsib else f"Global Bank {i + 1} plc"
        bank = b.organisation("corporate", name, "9", "1", interbank=True, gsib=gsib)
        b.assign(bank, b.new_group(), "standalone")
        banks.append(bank)

    sizes = np.clip(np.round(rng.lognormal(1.3, 0.8, n_groups)), 2, 60).astype(np.int64)
    kinds = rng.choice(len(_CONTROLLER_KINDS), size=n_groups, p=list(_CONTROLLER_SHARES.values()))
    tops: list[str] = []
    group_firms: list[str] = []
    borrowers: list[tuple[str, str]] = []  # (party, group)
    for size, kind in zip(sizes.tolist(), kinds.tolist(), strict=True):
        firms = _group(b, supervisors, size, _CONTROLLER_KINDS[kind])
        tops.append(firms[0])
        group_firms += firms
        group = b.group_of[firms[0]][0]
        borrowers += [(f, group) for f in firms]

    # Joint ventures 50 % / 50 % between two groups: controlled by neither.
    for _ in range(max(n_groups // 10, 1 if n_groups >= 2 else 0)):
        left = u.int(0, len(tops))
        right = u.int(0, len(tops) - 1)
        right += right >= left  # two different groups
        jv = b.company(b.brand())
        b.hold(tops[left], jv, 5_000)
        b.hold(tops[right], jv, 5_000)
        group = b.new_group()
        b.assign(jv, group, "joint_venture")
        borrowers.append((jv, group))
    # Exactly 50 % held by a family (10 % + 20 % + 20 %): not control under "more than 50 %".
    for _ in range(max(n_groups // 20, 1 if n_groups else 0)):
        family = _family(b, 3)
        firm = b.company(b.brand())
        for member, share in zip(family, (1_000, 2_000, 2_000), strict=True):
            b.hold(member, firm, share)
        family_group = b.new_group()  # related persons, though they control nothing
        for member in family:
            b.assign(member, family_group, "family")
        group = b.new_group()
        b.assign(firm, group, "standalone")
        borrowers.append((firm, group))
    # Standalone firms (some with a minority stake from a group) and other legal persons.
    standalone_firms: list[str] = []
    for _ in range(standalone):
        firm = b.other_organisation() if u() < _OTHER_ORGANISATIONS_SHARE else b.company(b.brand())
        group = b.new_group()
        b.assign(firm, group, "standalone")
        borrowers.append((firm, group))
        standalone_firms.append(firm)
        if tops and u() < 0.2:
            b.hold(tops[u.int(0, len(tops))], firm, u.int(500, 3_001))
    borrowers += [(bank, b.group_of[bank][0]) for bank in banks]

    owner = np.array([h[0] for h in b.holdings], dtype=object)
    owned = np.array([h[1] for h in b.holdings], dtype=object)
    equity = np.fromiter((h[2] for h in b.holdings), dtype=np.int64, count=len(b.holdings))
    voting = np.fromiter((h[3] for h in b.holdings), dtype=np.int64, count=len(b.holdings))
    if stakes_per_firm > 0 and group_firms:
        extra = _minority_stakes(
            stream(seed, Shape.PARTIES, _STAKES),
            (owned, equity, voting),
            group_firms,
            np.array([b.group_of[f][0] for f in group_firms], dtype=object),
            round(stakes_per_firm * len(group_firms)),
        )
        owner = np.concatenate([owner, extra[0]])
        owned = np.concatenate([owned, extra[1]])
        equity = np.concatenate([equity, extra[2]])
        voting = np.concatenate([voting, extra[2]])
    holdings = pd.DataFrame(
        {
            "owner_id": pd.Series(owner, dtype="str"),
            "owned_id": pd.Series(owned, dtype="str"),
            "equity_share": pd.Series(_SHARES[equity], dtype=object),
            "voting_share": pd.Series(_SHARES[voting], dtype=object),
        }
    )
    credit = stream(seed, Shape.PARTIES, _CREDIT)
    facilities = _facilities(credit, borrowers, end)
    guarantees = _guarantees(credit, b.group_of, tops, borrowers)
    borrower_group = pd.Series(dict(borrowers))
    nominal = pd.Series(
        (facilities["drawn"] + facilities["undrawn"]).to_numpy(),
        index=facilities["party_id"].map(borrower_group).to_numpy(),
    )
    exposure = nominal.groupby(level=0, sort=False).sum()
    capital = _capital_frame(dict(zip(exposure.index, exposure.tolist(), strict=True)), start, end)
    groups = pd.DataFrame(
        {
            "party_id": pd.Series(list(b.group_of), dtype="str"),
            "group_id": pd.Series([g for g, _ in b.group_of.values()], dtype="str"),
            "role": pd.Series([r for _, r in b.group_of.values()], dtype="str"),
        }
    )
    dependencies = _dependencies(
        stream(seed, Shape.PARTIES, _DEPENDENCIES),
        b.group_of,
        group_firms + standalone_firms,
        guarantees,
        n_groups,
    )
    return PartyFrames(
        parties=b.parties_frame(stream(seed, Shape.PARTIES, _IDENTITIES)),
        holdings=holdings,
        control_arrangements=pd.DataFrame(
            {
                "controller_id": pd.Series([a[0] for a in b.arrangements], dtype="str"),
                "controlled_id": pd.Series([a[1] for a in b.arrangements], dtype="str"),
                "kind": pd.Series([a[2] for a in b.arrangements], dtype="str"),
            }
        ),
        person_ties=pd.DataFrame(
            {
                "person_a": pd.Series([t[0] for t in b.ties], dtype="str"),
                "person_b": pd.Series([t[1] for t in b.ties], dtype="str"),
                "relation": pd.Series([t[2] for t in b.ties], dtype="str"),
            }
        ),
        facilities=facilities,
        guarantees=guarantees,
        capital=capital,
        groups=groups,
        dependencies=dependencies,
        connected_groups=_connected_groups(b.group_of, dependencies),
    )


def _check_stakes(value: object) -> float:
    """``minority_stakes_per_firm``: a finite number of at least zero."""
    if isinstance(value, bool) or not isinstance(value, int | float | np.integer | np.floating):
        raise InputError("must be a number", column="minority_stakes_per_firm", rule="type")
    number = float(value)
    if not np.isfinite(number) or number < 0:
        raise InputError(
            "must be finite and at least 0", column="minority_stakes_per_firm", rule="range"
        )
    return number


def _minority_stakes(
    rng: np.random.Generator,
    holdings: tuple[npt.NDArray[np.object_], IntArray, IntArray],
    group_firms: list[str],
    home: npt.NDArray[np.object_],
    count: int,
) -> tuple[npt.NDArray[np.object_], npt.NDArray[np.object_], IntArray]:
    """``count`` minority stakes (owner, owned, basis points) between firms of two groups.

    A target is a firm of a group with one holder of more than 5,000 bp of the votes; its free
    room is 10,000 bp less the larger of its allotted equity and votes. The stakes into one
    target share that room, so everyone but the controlling holder keeps less than 5,000 bp
    together: nobody else gains control, and the controller keeps it (its votes do not change).
    Equity and votes of a stake are equal.
    """
    owned, equity, voting = holdings
    firms = np.array(group_firms, dtype=object)
    at = pd.Index(firms).get_indexer(owned)  # -1: not a firm of a group
    held = at >= 0
    at, equity, voting = at[held], equity[held], voting[held]
    n = len(firms)
    room = 10_000 - np.maximum(
        np.bincount(at, weights=equity, minlength=n), np.bincount(at, weights=voting, minlength=n)
    ).astype(np.int64)
    top = np.zeros(n, dtype=np.int64)
    np.maximum.at(top, at, voting)
    targets = np.flatnonzero((top > 5_000) & (room > 0))  # positions in ``firms``
    room = room[targets]
    empty = np.array([], dtype=object)
    if len(targets) == 0 or count == 0:
        return empty, empty, np.array([], dtype=np.int64)
    owner_at = rng.integers(0, len(firms), count)
    target_pick = rng.integers(0, len(targets), count)
    target_at = targets[target_pick]
    frame = pd.DataFrame({"owner": owner_at, "target": target_at, "pick": target_pick})
    frame = frame[home[owner_at] != home[target_at]].drop_duplicates(["owner", "target"])
    per_target = frame.groupby("pick")["pick"].transform("size").to_numpy()
    cap = room[frame["pick"].to_numpy()] // per_target  # each stake's part of the room
    share = 1 + (rng.random(len(frame)) * np.minimum(cap, 1_000)).astype(np.int64)
    keep = cap >= 1
    return (
        firms[frame["owner"].to_numpy()[keep]],
        firms[frame["target"].to_numpy()[keep]],
        share[keep],
    )


#: Economic dependence (2018 large-exposure rules): reasons and how many per hundred groups.
DEPENDENCY_REASONS: tuple[str, ...] = ("major_customer", "guarantee_chain", "shared_funding")
_DEPENDENCIES_PER_GROUP = {"major_customer": 0.04, "shared_funding": 0.02}


def _dependencies(
    rng: np.random.Generator,
    group_of: dict[str, tuple[str, str]],
    firms: list[str],
    guarantees: pd.DataFrame,
    n_groups: int,
) -> pd.DataFrame:
    """Economically dependent clients between firms of different groups.

    ``major_customer``: a firm selling most of its output to another (firm of a group or
    standalone firm); ``shared_funding``: two firms repaying from one source; and
    ``guarantee_chain``: every second guarantee circle's links (a default would run round it).
    """
    rows: list[tuple[str, str, str]] = []
    pool = np.array(firms, dtype=object)
    for reason, rate in _DEPENDENCIES_PER_GROUP.items():
        count = round(rate * n_groups) if len(pool) >= 2 else 0
        a = rng.integers(0, max(len(pool), 1), count)
        b = rng.integers(0, max(len(pool) - 1, 1), count)
        b += b >= a
        for x, y in zip(pool[a].tolist(), pool[b].tolist() if count else [], strict=True):
            if group_of[x][0] != group_of[y][0]:
                rows.append((x, y, reason))
    circles = guarantees[guarantees["circle"] > 0]
    chosen = np.unique(circles["circle"].to_numpy())[::2]
    chained = circles[circles["circle"].isin(chosen)]
    for x, y in zip(chained["guarantor_id"], chained["obligor_id"], strict=True):
        rows.append((x, y, "guarantee_chain"))
    return pd.DataFrame(
        {
            "party_a": pd.Series([r[0] for r in rows], dtype="str"),
            "party_b": pd.Series([r[1] for r in rows], dtype="str"),
            "reason": pd.Series([r[2] for r in rows], dtype="str"),
        }
    )


def _connected_groups(
    group_of: dict[str, tuple[str, str]], dependencies: pd.DataFrame
) -> pd.DataFrame:
    """Each true group and the smallest group id it is joined to through dependencies."""
    ids = np.array(sorted({g for g, _ in group_of.values()}), dtype=object)
    index = {g: i for i, g in enumerate(ids.tolist())}
    parent = np.arange(len(ids))

    def find(i: int) -> int:
        while parent[i] != i:
            parent[i] = parent[parent[i]]
            i = int(parent[i])
        return i

    pairs = zip(dependencies["party_a"].tolist(), dependencies["party_b"].tolist(), strict=True)
    for a, b in pairs:
        ra, rb = find(index[group_of[a][0]]), find(index[group_of[b][0]])
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)  # ids are sorted: the root is the smallest
    roots = np.array([find(i) for i in range(len(ids))], dtype=np.int64)
    return pd.DataFrame(
        {
            "group_id": pd.Series(ids, dtype="str"),
            "connected_group_id": pd.Series(ids[roots] if len(ids) else ids, dtype="str"),
        }
    )


def _months_before(
    days: npt.NDArray[np.datetime64], months: IntArray
) -> npt.NDArray[np.datetime64]:
    """``days`` minus whole months, anchored on the day of month (clipped to the month's end)."""
    month = days.astype("datetime64[M]")
    day_of_month = (days - month.astype("datetime64[D]")).astype(np.int64)
    target = month - months.astype("timedelta64[M]")
    month_length = (
        (target + np.timedelta64(1, "M")).astype("datetime64[D]") - target.astype("datetime64[D]")
    ).astype(np.int64)
    offset = np.minimum(day_of_month, month_length - 1).astype("timedelta64[D]")
    result: npt.NDArray[np.datetime64] = target.astype("datetime64[D]") + offset
    return result


def _facilities(
    rng: np.random.Generator, borrowers: list[tuple[str, str]], end: dt.date
) -> pd.DataFrame:
    """Facilities outstanding on ``end``; amounts scale with a heavy-tailed group size."""
    group_ids, group_at = np.unique(
        np.array([g for _, g in borrowers], dtype=str), return_inverse=True
    )
    scale_of = rng.lognormal(np.log(5e7), 1.3, len(group_ids))
    per_party = rng.poisson(2.0, len(borrowers))
    party = np.repeat(np.array([p for p, _ in borrowers], dtype=object), per_party)
    scale = np.repeat(scale_of[group_at], per_party)
    n = len(party)
    product = rng.choice(len(PRODUCT_TYPES), size=n, p=_PRODUCT_SHARES)
    low = np.array([_MATURITY[p][0] for p in PRODUCT_TYPES])[product]
    high = np.array([_MATURITY[p][1] for p in PRODUCT_TYPES])[product]
    months = low + (rng.random(n) * (high - low + 1)).astype(np.int64)
    # Outstanding at the reporting date: it matures within its original term from then.
    maturity = np.datetime64(end, "D") + (rng.random(n) * 30 * months).astype(np.int64) + 1
    started = _months_before(maturity, months)
    amount = np.round(scale * rng.lognormal(-1.0, 1.0, n), 2)
    currency = np.array(["CNY", "USD", "HKD", "EUR"])[
        rng.choice(4, size=n, p=[0.88, 0.07, 0.03, 0.02])
    ]
    on_balance = product < len(ON_BALANCE_PRODUCTS)
    committed = np.isin(product, [0, 4]) & (rng.random(n) < 0.3)  # loans and overdrafts
    undrawn_line = np.round(amount * rng.uniform(0.1, 1.0, n), 2)
    drawn = np.where(on_balance, amount, 0.0)
    undrawn = np.where(on_balance, np.where(committed, undrawn_line, 0.0), amount)
    impaired = on_balance & (rng.random(n) < 0.08)
    provision = np.where(impaired, np.round(drawn * rng.uniform(0.02, 0.5, n), 2), 0.0)
    return pd.DataFrame(
        {
            "facility_id": pd.Series(
                np.strings.add("F", np.strings.zfill(np.arange(1, n + 1).astype(str), 8)),
                dtype="str",
            ),
            "party_id": pd.Series(party, dtype="str"),
            "product_type": pd.Series(np.asarray(PRODUCT_TYPES)[product], dtype="str"),
            "on_balance": on_balance,
            "currency": pd.Series(currency, dtype="str"),
            "drawn": drawn,
            "undrawn": undrawn,
            "original_maturity": months.astype(np.int64),
            "start_date": started.astype("datetime64[s]"),
            "maturity_date": maturity.astype("datetime64[s]"),
            "provision": provision,
        }
    )


def _guarantees(
    rng: np.random.Generator,
    group_of: dict[str, tuple[str, str]],
    tops: list[str],
    borrowers: list[tuple[str, str]],
) -> pd.DataFrame:
    """Guarantees between firms of different groups, including a few circles (担保圈)."""
    rows: list[tuple[str, str, float, int]] = []
    firms = np.array([p for p, _ in borrowers if p.startswith("C")], dtype=object)
    count = len(firms) // 3 if len(firms) >= 2 else 0
    guarantor_at = rng.integers(0, max(len(firms), 1), count)
    obligor_at = rng.integers(0, max(len(firms) - 1, 1), count)
    obligor_at += obligor_at >= guarantor_at  # two different firms
    amounts = np.round(rng.lognormal(np.log(2e7), 1.0, count), 2)
    for guarantor, obligor, amount in zip(
        firms[guarantor_at].tolist(), firms[obligor_at].tolist(), amounts.tolist(), strict=True
    ):
        if group_of[guarantor][0] != group_of[obligor][0]:
            rows.append((guarantor, obligor, amount, 0))
    circles = max(len(tops) // 15, 1 if len(tops) >= 3 else 0)
    for circle in range(1, circles + 1):
        size = min(int(rng.integers(3, 6)), len(tops))
        members: list[str] = []
        while len(members) < size:  # distinct tops
            top = tops[int(rng.integers(0, len(tops)))]
            if top not in members:
                members.append(top)
        amounts = np.round(rng.lognormal(np.log(5e7), 0.8, size), 2)
        for i, guarantor in enumerate(members):
            rows.append((guarantor, members[(i + 1) % size], float(amounts[i]), circle))
    return pd.DataFrame(
        {
            "guarantor_id": pd.Series([r[0] for r in rows], dtype="str"),
            "obligor_id": pd.Series([r[1] for r in rows], dtype="str"),
            "amount": pd.Series([r[2] for r in rows], dtype=np.float64),
            "currency": pd.Series(["CNY"] * len(rows), dtype="str"),
            "circle": pd.Series([r[3] for r in rows], dtype=np.int64),
        }
    )

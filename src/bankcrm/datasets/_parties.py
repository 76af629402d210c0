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

>>> frames = generate_parties(5, seed=1)
>>> set(frames.groups["party_id"]) == set(frames.parties["party_id"])
True
>>> all(0 <= s <= 1 for s in frames.holdings["equity_share"])
True
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
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
from bankcrm.identity.checksums import USCC_ALPHABET, org_code_check_char, uscc_check_char

__all__ = [
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


def _bp(value: int) -> Decimal:
    """Basis points of one (0..10 000) as an exact four-place decimal share."""
    return Decimal(value).scaleb(-4)


class _Builder:
    """Accumulates rows; per-party Python is fine here (parties are few)."""

    def __init__(self, rng: np.random.Generator) -> None:
        self.rng = rng
        self.parties: list[dict[str, object]] = []
        self.holdings: list[tuple[str, str, int, int]] = []
        self.arrangements: list[tuple[str, str, str]] = []
        self.ties: list[tuple[str, str, str]] = []
        self.group_of: dict[str, tuple[str, str]] = {}
        self.org_bodies: set[str] = set()
        self.person_bodies: set[int] = set()
        self.counters = {"C": 0, "N": 0, "S": 0}
        self.surnames: dict[str, int] = {}
        self.n_groups = 0
        self.sur = surname_pool()
        self.given = given_name_pool()
        self.regions = region_pool()
        self.region_cdf = np.cumsum(self.regions.probabilities)
        self.region_cdf[-1] = 1.0
        self.surname_cdf = np.cumsum(self.sur.probabilities)
        self.surname_cdf[-1] = 1.0

    # -- identifiers -------------------------------------------------------------------
    def new_id(self, prefix: str) -> str:
        self.counters[prefix] += 1
        return f"{prefix}{self.counters[prefix]:07d}"

    def new_group(self) -> str:
        self.n_groups += 1
        return f"GRP{self.n_groups:07d}"

    def org_body(self) -> str:
        digits = "0123456789"
        while True:
            if self.rng.random() < 0.6:
                tail = "".join(USCC_ALPHABET[i] for i in self.rng.integers(0, 31, 6))
                candidate = "MA" + tail
            else:
                candidate = "".join(digits[i] for i in self.rng.integers(0, 10, 8))
            if candidate not in self.org_bodies:
                self.org_bodies.add(candidate)
                return candidate

    def region(self) -> int:
        i = int(np.searchsorted(self.region_cdf, self.rng.random(), side="right"))
        return int(self.regions.codes[i]) // 100 * 100  # city-level code for registrations

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
        region = self.region()
        self.parties.append(
            {
                "party_id": party_id,
                "kind": kind,
                "name": name,
                "uscc": make_uscc(authority, entity_type, region, self.org_body()),
                "id_number": None,
                "interbank": interbank,
                "gsib": gsib,
                "exempt": exempt,
            }
        )
        return party_id

    def company(self, brand: str, *, top: bool = False) -> str:
        industry = _INDUSTRIES[int(self.rng.integers(0, len(_INDUSTRIES)))]
        suffix = (
            "集团有限公司" if top else ("股份有限公司" if self.rng.random() < 0.2 else "有限公司")
        )
        city = self.regions.place[int(self.rng.integers(0, len(self.regions.place)))]
        name = f"{brand}{industry}{suffix}" if top else f"{city[:3]}{brand}{industry}{suffix}"
        entity_type = "1" if self.rng.random() < 0.97 else "3"  # enterprises; a few cooperatives
        return self.organisation("corporate", name, "9", entity_type)

    def other_organisation(self) -> str:
        """A legal person that is not an enterprise (registration authority 1, 5, N or Y)."""
        at = int(np.searchsorted(_OTHER_CDF, self.rng.random(), side="right"))
        authority, entity_type, template, _ = _OTHER_ORGANISATIONS[at]
        city = self.regions.place[int(self.rng.integers(0, len(self.regions.place)))]
        name = template.format(city=city[:3], brand=self.brand())
        return self.organisation("organisation", name, authority, entity_type)

    def brand(self) -> str:
        chars = self.given.chars[self.rng.integers(0, len(self.given.chars), 2)]
        return "".join(str(c) for c in chars)

    def person(self, surname: int | None = None, born: int = 1970) -> str:
        party_id = self.new_id("N")
        if surname is None:
            s = int(np.searchsorted(self.surname_cdf, self.rng.random(), side="right"))
        else:
            s = surname
        g = self.rng.integers(0, len(self.given.chars), 2)
        male = bool(self.rng.random() < 0.5)
        day = np.datetime64(f"{born}-01-01") + np.timedelta64(int(self.rng.integers(0, 365)), "D")
        region = int(self.regions.codes[int(self.rng.integers(0, len(self.regions.codes)))])
        while True:
            seq = 2 * int(self.rng.integers(1, 500)) - int(male)
            b = int(body(np.array([region]), ymd(np.array([day])), np.array([seq]))[0])
            if b not in self.person_bodies:
                self.person_bodies.add(b)
                break
        self.surnames[party_id] = s
        self.parties.append(
            {
                "party_id": party_id,
                "kind": "person",
                "name": f"{self.sur.chars[s]}{self.given.chars[g[0]]}{self.given.chars[g[1]]}",
                "uscc": None,
                "id_number": str(ric_numbers(np.array([b], dtype=np.int64))[0]),
                "interbank": False,
                "gsib": False,
                "exempt": False,
            }
        )
        return party_id

    def surname_of(self, party_id: str) -> int:
        return self.surnames[party_id]

    def hold(self, owner: str, owned: str, equity_bp: int, voting_bp: int | None = None) -> None:
        self.holdings.append(
            (owner, owned, equity_bp, equity_bp if voting_bp is None else voting_bp)
        )

    def assign(self, party_id: str, group_id: str, role: str) -> None:
        self.group_of[party_id] = (group_id, role)


def _family(b: _Builder, size: int) -> list[str]:
    """A family: a couple, then children (sharing the father's surname) and ties between them."""
    born = int(b.rng.integers(1950, 1975))
    head = b.person(born=born)
    members = [head]
    if size >= 2:
        spouse = b.person(born=born + int(b.rng.integers(-3, 4)))
        b.ties.append((head, spouse, "spouse"))
        members.append(spouse)
    surname = b.surname_of(head)
    children = [
        b.person(surname=surname, born=born + int(b.rng.integers(22, 35))) for _ in range(size - 2)
    ]
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
    cuts = np.sort(b.rng.choice(np.arange(1, total), size=min(parts - 1, total - 1), replace=False))
    return [int(x) for x in np.diff(np.concatenate([[0], cuts, [total]]))]


def _group(b: _Builder, supervisors: Sequence[str]) -> list[str]:
    """One true group: a controller, a top company and its subsidiaries; returns the firms."""
    group_id = b.new_group()
    brand = b.brand()
    size = int(np.clip(round(b.rng.lognormal(1.3, 0.8)), 2, 60))
    firms = [b.company(brand, top=True)]
    top = firms[0]
    b.assign(top, group_id, "member")
    controller = str(b.rng.choice(list(_CONTROLLER_SHARES), p=list(_CONTROLLER_SHARES.values())))
    # The top company's shareholders; 500 bp are kept free for a subsidiary's cross-holding.
    free = 9_500
    if controller == "person":
        owner = b.person(born=int(b.rng.integers(1950, 1985)))
        share = int(b.rng.integers(5_001, 9_501))
        b.hold(owner, top, share)
        b.assign(owner, group_id, "controller")
        free -= share
    elif controller == "family":
        family = _family(b, int(b.rng.integers(2, 5)))
        holders = family[: int(b.rng.integers(2, len(family) + 1))]
        total = int(b.rng.integers(5_001, 9_001))
        shares = _split(b, total, len(holders))
        for holder, share in zip(holders, shares, strict=False):
            b.hold(holder, top, share)
        for member in family:
            b.assign(member, group_id, "controller")
        free -= total
    elif controller == "state":
        supervisor = supervisors[int(b.rng.integers(0, len(supervisors)))]
        share = int(b.rng.integers(5_100, 9_501))
        b.hold(supervisor, top, share)
        free -= share
    else:  # widely held: several unrelated people, none with control
        for _ in range(int(b.rng.integers(3, 6))):
            holder = b.person(born=int(b.rng.integers(1950, 1990)))
            b.hold(holder, top, int(b.rng.integers(500, 1_500)))
            b.assign(holder, b.new_group(), "standalone")
    # Subsidiaries: each controlled by an earlier member (chains form when that is not the top).
    for j in range(1, size):
        parent = firms[int(j * float(b.rng.random()) ** 2)]
        firm = b.company(brand)
        firms.append(firm)
        b.assign(firm, group_id, "member")
        if b.rng.random() < 0.1:  # votes without equity: 40 % of the shares, 55 % of the votes
            equity = int(b.rng.integers(3_000, 5_000))
            voting = int(b.rng.integers(5_100, 6_000))
        else:
            equity = voting = int(b.rng.integers(5_100, 10_001))
        b.hold(parent, firm, equity, voting)
        rest = 10_000 - max(equity, voting)
        if rest > 0 and b.rng.random() < 0.5:
            minority = b.person(born=int(b.rng.integers(1955, 1995)))
            b.hold(minority, firm, int(b.rng.integers(1, rest + 1)))
            b.assign(minority, b.new_group(), "standalone")
    if len(firms) > 2 and b.rng.random() < 0.3:  # a subsidiary holds a little of the top
        b.hold(firms[-1], top, int(b.rng.integers(100, 501)))
    if b.rng.random() < 0.1:  # control by arrangement over a firm the group owns little of
        firm = b.company(brand)
        b.hold(top, firm, int(b.rng.integers(1_000, 3_000)))
        b.arrangements.append((top, firm, _ARRANGEMENTS[int(b.rng.integers(0, 3))]))
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
    start: DateLike = DEFAULT_START,
    end: DateLike = DEFAULT_END,
) -> PartyFrames:
    """Corporate groups, standalone firms, banks and the State, with their credit.

    Args:
        n_groups: how many multi-firm groups.
        seed: the random seed; the same arguments always give the same frames.
        n_standalone: standalone firms (default ``2 × n_groups``).
        start: first day of the credit history (facility start dates, capital dates).
        end: the reporting date (facilities are outstanding on it; last capital date).

    Returns:
        :class:`PartyFrames` with ``parties`` (``party_id``, ``kind``, ``name``, ``uscc``,
        ``id_number``, ``interbank``, ``gsib``, ``exempt``), ``holdings`` (``owner_id``,
        ``owned_id``, ``equity_share``, ``voting_share`` as Decimal), ``control_arrangements``
        (``controller_id``, ``controlled_id``, ``kind``), ``person_ties`` (``person_a``,
        ``person_b``, ``relation``: spouse, parent_child with ``person_a`` the parent, sibling),
        ``facilities``, ``guarantees`` (``guarantor_id``, ``obligor_id``, ``amount``,
        ``currency``, ``circle``), ``capital`` (``date``, ``net_capital``, ``tier1_capital``) and
        ``groups`` (``party_id``, ``group_id``, ``role``: ``controller`` (persons controlling
        the group), ``member``, ``joint_venture``, ``standalone`` or ``family`` (related persons
        who control nothing)).
    """
    n_groups = check_count(n_groups, "n_groups")
    standalone = 2 * n_groups if n_standalone is None else check_count(n_standalone, "n_standalone")
    start, end = check_date_order(start, end)
    rng = stream(check_seed(seed), Shape.PARTIES)
    b = _Builder(rng)

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

    tops: list[str] = []
    borrowers: list[tuple[str, str]] = []  # (party, group)
    for _ in range(n_groups):
        firms = _group(b, supervisors)
        tops.append(firms[0])
        borrowers += [(f, b.group_of[f][0]) for f in firms]

    # Joint ventures 50 % / 50 % between two groups: controlled by neither.
    for _ in range(max(n_groups // 10, 1 if n_groups >= 2 else 0)):
        left, right = rng.choice(len(tops), size=2, replace=False)
        jv = b.company(b.brand())
        b.hold(tops[int(left)], jv, 5_000)
        b.hold(tops[int(right)], jv, 5_000)
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
    for _ in range(standalone):
        draw = float(rng.random())
        firm = b.other_organisation() if draw < _OTHER_ORGANISATIONS_SHARE else b.company(b.brand())
        group = b.new_group()
        b.assign(firm, group, "standalone")
        borrowers.append((firm, group))
        if tops and rng.random() < 0.2:
            b.hold(tops[int(rng.integers(0, len(tops)))], firm, int(rng.integers(500, 3_001)))
    borrowers += [(bank, b.group_of[bank][0]) for bank in banks]

    facilities = _facilities(b, borrowers, end)
    guarantees = _guarantees(b, tops, borrowers)
    exposure: dict[str, float] = {}
    for _party, group in borrowers:
        exposure.setdefault(group, 0.0)
    nominal = (facilities["drawn"] + facilities["undrawn"]).to_numpy()
    for party, amount in zip(facilities["party_id"].tolist(), nominal.tolist(), strict=True):
        exposure[b.group_of[party][0]] += amount
    capital = _capital_frame(exposure, start, end)
    return PartyFrames(
        parties=_parties_frame(b),
        holdings=pd.DataFrame(
            {
                "owner_id": pd.Series([h[0] for h in b.holdings], dtype="str"),
                "owned_id": pd.Series([h[1] for h in b.holdings], dtype="str"),
                "equity_share": pd.Series([_bp(h[2]) for h in b.holdings], dtype=object),
                "voting_share": pd.Series([_bp(h[3]) for h in b.holdings], dtype=object),
            }
        ),
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
        groups=pd.DataFrame(
            {
                "party_id": pd.Series(list(b.group_of), dtype="str"),
                "group_id": pd.Series([g for g, _ in b.group_of.values()], dtype="str"),
                "role": pd.Series([r for _, r in b.group_of.values()], dtype="str"),
            }
        ),
    )


def _parties_frame(b: _Builder) -> pd.DataFrame:
    frame = pd.DataFrame(b.parties)
    for column in ("party_id", "kind", "name", "uscc", "id_number"):
        frame[column] = frame[column].astype("str").where(frame[column].notna())
    for column in ("interbank", "gsib", "exempt"):
        frame[column] = frame[column].astype(bool)
    return frame


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


def _facilities(b: _Builder, borrowers: list[tuple[str, str]], end: dt.date) -> pd.DataFrame:
    """Facilities outstanding on ``end``; amounts scale with a heavy-tailed group size."""
    rng = b.rng
    group_ids = sorted({g for _, g in borrowers})
    scale_of = dict(zip(group_ids, rng.lognormal(np.log(5e7), 1.3, len(group_ids)), strict=True))
    per_party = rng.poisson(2.0, len(borrowers))
    party = np.repeat(np.array([p for p, _ in borrowers], dtype=object), per_party)
    scale = np.repeat(np.array([scale_of[g] for _, g in borrowers]), per_party)
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
            "facility_id": pd.Series([f"F{i:08d}" for i in range(1, n + 1)], dtype="str"),
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


def _guarantees(b: _Builder, tops: list[str], borrowers: list[tuple[str, str]]) -> pd.DataFrame:
    """Guarantees between firms of different groups, including a few circles (担保圈)."""
    rng = b.rng
    rows: list[tuple[str, str, float, int]] = []
    firms = [p for p, _ in borrowers if p.startswith("C")]
    for _ in range(len(firms) // 3):
        guarantor, obligor = (firms[int(i)] for i in rng.choice(len(firms), size=2, replace=False))
        if b.group_of[guarantor][0] != b.group_of[obligor][0]:
            rows.append((guarantor, obligor, round(float(rng.lognormal(np.log(2e7), 1.0)), 2), 0))
    circles = max(len(tops) // 15, 1 if len(tops) >= 3 else 0)
    for circle in range(1, circles + 1):
        size = min(int(rng.integers(3, 6)), len(tops))
        members = [tops[int(i)] for i in rng.choice(len(tops), size=size, replace=False)]
        for i, guarantor in enumerate(members):
            obligor = members[(i + 1) % size]
            rows.append(
                (guarantor, obligor, round(float(rng.lognormal(np.log(5e7), 0.8)), 2), circle)
            )
    return pd.DataFrame(
        {
            "guarantor_id": pd.Series([r[0] for r in rows], dtype="str"),
            "obligor_id": pd.Series([r[1] for r in rows], dtype="str"),
            "amount": pd.Series([r[2] for r in rows], dtype=np.float64),
            "currency": pd.Series(["CNY"] * len(rows), dtype="str"),
            "circle": pd.Series([r[3] for r in rows], dtype=np.int64),
        }
    )

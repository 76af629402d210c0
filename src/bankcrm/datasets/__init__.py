"""A seeded synthetic bank: customer records, transactions, accounts, parties, with ground truth."""

from bankcrm.datasets._damage import DAMAGE_KINDS, DamageRates
from bankcrm.datasets._records import SOURCE_SYSTEMS, generate_people, generate_records
from bankcrm.datasets._transactions import generate_transactions

__all__ = [
    "DAMAGE_KINDS",
    "SOURCE_SYSTEMS",
    "DamageRates",
    "generate_people",
    "generate_records",
    "generate_transactions",
]

"""What a table of the open-data dump is: its columns with their types and meaning (the data
dictionary's entries, written as a Frictionless Table Schema), and the columns many share."""

from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from django.conf import settings

from accounts.models import StakeholderGroup


@dataclass(frozen=True)
class Column:
    name: str
    type: str  # a Table Schema type: integer, number, string, boolean, date, datetime, yearmonth
    description: str
    required: bool = False
    enum: tuple = ()

    def schema(self) -> dict:
        described = {"name": self.name, "type": self.type, "description": str(self.description)}
        constraints = {}
        if self.required:
            constraints["required"] = True
        if self.enum:
            constraints["enum"] = list(self.enum)
        if constraints:
            described["constraints"] = constraints
        return described


@dataclass(frozen=True)
class Table:
    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    rows: Callable[[], Iterable[tuple]]
    primary_key: tuple[str, ...] = ()
    # (column, table, its column): each value is one of that table's, or empty.
    references: tuple[tuple[str, str, str], ...] = field(default=())

    @property
    def path(self) -> str:
        return f"{self.name}.csv"


# Columns many tables share.


def id_column(what):
    return Column("id", "integer", what, required=True)


def reference(name, what):
    return Column(name, "integer", what, required=True)


def url_column(what):
    return Column("url", "string", what, required=True)


def person_columns(prefix, whose):
    return (
        Column(f"{prefix}_name", "string", whose["name"], required=True),
        Column(
            f"{prefix}_stakeholder_group",
            "string",
            whose["group"],
            enum=tuple(StakeholderGroup.values),
        ),
        Column(f"{prefix}_verified", "boolean", whose["verified"], required=True),
    )


LANGUAGES = [code for code, _name in settings.LANGUAGES]

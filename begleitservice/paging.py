"""One page of a list computed in Python (a month's open points, draft invoices), shaped like Flask-SQLAlchemy's
``Pagination`` so the ``pager`` macro shows it too."""

from collections.abc import Sequence
from dataclasses import dataclass


class Pages:
    """What the ``pager`` macro reads, from ``total``, ``page`` and ``per_page`` (like Flask-SQLAlchemy's
    ``Pagination``)."""

    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages

    @property
    def prev_num(self) -> int:
        return self.page - 1

    @property
    def next_num(self) -> int:
        return self.page + 1


@dataclass
class ListPage(Pages):
    """Page ``page`` of ``everything`` with ``per_page`` entries; a page beyond the last one is empty."""

    everything: Sequence
    page: int
    per_page: int

    @property
    def items(self) -> Sequence:
        start = (self.page - 1) * self.per_page
        return self.everything[start : start + self.per_page]

    @property
    def total(self) -> int:
        return len(self.everything)

"""The errors an index build, load or update raises."""


class GuideIndexError(RuntimeError):
    """An index cannot be built or loaded; the message says why and what to do."""


class UnknownDocumentError(GuideIndexError, KeyError):
    """Documents to remove that the index does not hold; `ids` lists them."""

    def __init__(self, message: str, ids: list[str]):
        super().__init__(message)
        self.ids = ids

    def __str__(self) -> str:  # KeyError would quote the message
        return self.args[0]


class UpdateError(GuideIndexError):
    """Documents cannot be added or removed (bad input, a model mismatch, another update holding the lock)."""

"""The one error an index build or load raises."""


class GuideIndexError(RuntimeError):
    """An index cannot be built or loaded; the message says why and what to do."""

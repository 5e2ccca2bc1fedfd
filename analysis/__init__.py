"""gvc-abm: analysis."""

__all__ = ["load_batch"]


def __getattr__(name: str):
    # loaded on first use, so importing any analysis module stays light (PEP 562)
    if name == "load_batch":
        from .batch import load_batch

        return load_batch
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")

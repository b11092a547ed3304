"""The jobs an entry may name. Only functions marked with @job run: an entry's name is never
imported blindly."""

from collections.abc import Callable
from importlib import import_module

_jobs: dict[str, Callable] = {}


def job(function: Callable) -> Callable:
    """Mark a function as a job, named by its module and name. Its keyword arguments must be
    JSON; it runs in the transaction that marks its entry done, so what it records (further
    entries, rows) commits with that mark or not at all."""
    function.job_name = f"{function.__module__}.{function.__name__}"
    _jobs[function.job_name] = function
    return function


def find(name: str) -> Callable:
    """The job of that name. Its module is imported first if this process has not yet done so
    (a worker need not have imported every app's jobs before it meets one)."""
    if name not in _jobs:
        module, _, _function = name.rpartition(".")
        try:
            import_module(module)
        except ImportError as error:
            raise LookupError(f"no job {name!r}") from error
    try:
        return _jobs[name]
    except KeyError:
        raise LookupError(f"no job {name!r}") from None

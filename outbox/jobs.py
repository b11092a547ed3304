"""The jobs an entry may name. Only functions marked with @job run: an entry's name is never
imported blindly."""

from collections.abc import Callable
from importlib import import_module

_jobs: dict[str, Callable] = {}


def job(function: Callable | None = None, *, outside: bool = False):
    """Mark a function as a job, named by its module and name. Its keyword arguments must be
    JSON.

    A job runs in the transaction that marks its entry done, so what it records (further
    entries, rows) commits with that mark or not at all. A job that acts `outside` the database
    (sends an email) runs outside any transaction instead, once its entry is claimed: a database
    that fails after the mail server took the message must not undo the mark and send it again.
    """

    def register(function: Callable) -> Callable:
        function.job_name = f"{function.__module__}.{function.__name__}"
        function.job_outside = outside
        _jobs[function.job_name] = function
        return function

    return register(function) if function is not None else register


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

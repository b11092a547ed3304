"""What the library's pages ask of apps above it (see core.hooks)."""

from core.hooks import Hook

study_facts = Hook(
    "(request, publication) -> a core.hooks.Part added to a study's list of facts: <dt> and "
    "<dd> elements about what else the portal holds on it; or None"
)

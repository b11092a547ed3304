"""Who may do what in the library."""


def sees_unpublished(user) -> bool:
    """Editors prepare studies before they are published: they see them, nobody else does."""
    return user.has_perm("publications.change_publication")

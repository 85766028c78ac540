"""Admin pages for records that change only through services (payments, ledgers, snapshots)."""


class ReadOnlyAdminMixin:
    """Nobody adds, edits or deletes these rows in admin, whatever their permissions: they are
    the record of what happened. For ModelAdmin and inlines alike."""

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

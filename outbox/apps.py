from django.apps import AppConfig


class OutboxConfig(AppConfig):
    """Side effects (notifications, e-mails) written in the same transaction as their cause."""

    name = "outbox"
    verbose_name = "Messages à envoyer"

    def ready(self) -> None:
        from django.contrib.auth.signals import user_logged_in

        # The bell's count is cached between pages (outbox.selectors.unread_count): filled at sign-in.
        user_logged_in.connect(prime_unread_count, dispatch_uid="prime_unread_count")


def prime_unread_count(sender: object, user: object, **kwargs: object) -> None:
    from outbox.selectors import unread_count

    pk = getattr(user, "pk", None)
    if pk is not None:
        unread_count(pk)

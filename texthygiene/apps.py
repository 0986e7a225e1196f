from django.apps import AppConfig


class TextHygieneConfig(AppConfig):
    """Installs the text hygiene on every form's text fields (``texthygiene.forms``)."""

    name = "texthygiene"
    verbose_name = "Hygiène des textes saisis"

    def ready(self) -> None:
        from texthygiene.forms import install

        install()

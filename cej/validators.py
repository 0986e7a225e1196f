"""Checks on a young person's data, with clear French messages."""

import re

from django.core.exceptions import ValidationError

# A French social security number (NIR): sex, year, month, département (2A/2B too), commune,
# order number, and an optional 2-digit key. The application must never hold one.
NIR_PATTERN = re.compile(
    r"(?<![0-9])[12]\d{2}(0[1-9]|1[0-2]|[2-9]\d)(\d{2}|2[AB])\d{6}(\d{2})?(?![0-9])", re.IGNORECASE
)
NIR_MESSAGE = (
    "Ce champ ressemble à un numéro de sécurité sociale (NIR) : l'application ne doit jamais en contenir. Retirez-le."
)


def looks_like_nir(value: str) -> bool:
    """True if ``value`` holds a NIR, even written with spaces, dots or dashes."""
    return bool(NIR_PATTERN.search(re.sub(r"[\s.\-_/]", "", value or "")))


def validate_no_nir(value: str) -> None:
    if looks_like_nir(value):
        raise ValidationError(NIR_MESSAGE, code="nir")


def validate_imilo_number(value: str) -> None:
    if value and not re.fullmatch(r"\d{4,12}", value):
        raise ValidationError("Le numéro i-milo ne contient que des chiffres (4 à 12).", code="imilo")


def validate_france_travail_id(value: str) -> None:
    if value and not re.fullmatch(r"[0-9A-Za-z]{6,11}", value):
        raise ValidationError(
            "L'identifiant France Travail comporte 6 à 11 chiffres ou lettres, sans espace.", code="france_travail_id"
        )

"""Validators with clear French messages."""

import re

from django.core.exceptions import ValidationError

# La Poste's establishments (SIREN 356 000 000) may not follow the Luhn rule: for them the sum
# of the digits being a multiple of 5 is accepted too (INSEE's documented exception).
LA_POSTE_SIREN = "356000000"


def luhn_is_valid(digits: str) -> bool:
    total = 0
    for index, char in enumerate(reversed(digits)):
        value = int(char)
        if index % 2 == 1:
            value *= 2
            if value > 9:
                value -= 9
        total += value
    return total % 10 == 0


def normalise_siret(value: str) -> str:
    return re.sub(r"[\s.\u00a0-]", "", value or "")


def validate_siret(value: str) -> None:
    siret = normalise_siret(value)
    if not re.fullmatch(r"\d{14}", siret):
        raise ValidationError("Le SIRET doit comporter exactement 14 chiffres (espaces acceptés).", code="siret_format")
    valid = luhn_is_valid(siret) or (siret.startswith(LA_POSTE_SIREN) and sum(int(c) for c in siret) % 5 == 0)
    if not valid:
        raise ValidationError(
            "Ce SIRET n'existe pas : sa clé de contrôle est fausse. Vérifiez-le sur l'avis de situation Sirene.",
            code="siret_checksum",
        )


def validate_postcode(value: str) -> None:
    if not re.fullmatch(r"\d{5}", value or ""):
        raise ValidationError("Le code postal doit comporter 5 chiffres.", code="postcode")


def normalise_french_phone(value: str) -> str:
    """'04 72 00 00 00', '+33 4 72 00 00 00' → '+33472000000' (E.164); '' stays ''."""
    raw = re.sub(r"[\s.\-()\u00a0]", "", value or "")
    if not raw:
        return ""
    if raw.startswith("0033"):
        raw = "+33" + raw[4:]
    if re.fullmatch(r"0[1-9]\d{8}", raw):
        return "+33" + raw[1:]
    if re.fullmatch(r"\+33[1-9]\d{8}", raw):
        return raw
    # Overseas départements keep their own country codes (+590, +596, +594, +262, +269).
    if re.fullmatch(r"\+(590|596|594|262|269)\d{9}", raw):
        return raw
    raise ValidationError(
        "Numéro de téléphone invalide : saisissez 10 chiffres, par exemple 04 72 00 00 00.", code="phone"
    )


def validate_french_phone(value: str) -> None:
    normalise_french_phone(value)

"""Validators with clear French messages."""

import re
import unicodedata

from django.core.exceptions import ValidationError
from zxcvbn import zxcvbn

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


def fold_accents(value: str) -> str:
    """« Lévêque » → « Leveque »: accents dropped, every other character kept."""
    return "".join(char for char in unicodedata.normalize("NFKD", value) if not unicodedata.combining(char))


class PasswordStrengthValidator:
    """A password hard to guess, measured by zxcvbn (score 0 to 4), not by composition rules.

    zxcvbn estimates the guesses an attacker needs, knowing common passwords, names, dates, keyboard
    patterns and l33t substitutions. The person's own details (e-mail, names) and the service's name
    add nothing an attacker does not know: they are taken out before scoring, so « Leveque-Anais-1 »
    scores as « --1 ». Only the first 72 characters are scored: zxcvbn refuses longer input.
    """

    SCORED_LENGTH = 72
    # Words anyone would try first against this service.
    SERVICE_WORDS = ("orientations", "orientation", "e2c", "ecole", "deuxieme", "chance", "mission", "locale", "cej")

    def __init__(self, min_score: int = 3) -> None:
        self.min_score = min_score

    def validate(self, password: str, user: object = None) -> None:
        known = self.user_inputs(user)
        pattern = "|".join(re.escape(word) for word in sorted(known, key=len, reverse=True))
        rest = re.sub(pattern, "", fold_accents(password), flags=re.IGNORECASE)
        score = zxcvbn(rest[: self.SCORED_LENGTH], user_inputs=known)["score"] if rest else 0
        if score < self.min_score:
            raise ValidationError(
                "Ce mot de passe est trop facile à deviner. Choisissez une phrase de plusieurs mots sans lien "
                "entre eux, sans votre nom, votre adresse e-mail ni le nom du service.",
                code="password_too_guessable",
            )

    def user_inputs(self, user: object) -> list[str]:
        """The service's words and the person's details, whole and in parts, without accents."""
        inputs = set(self.SERVICE_WORDS)
        for attribute in ("email", "first_name", "last_name"):
            value = fold_accents(str(getattr(user, attribute, "") or "")).lower()
            if value:
                inputs.add(value)
                inputs.update(part for part in re.split(r"[@.\-_\s]+", value) if len(part) > 2)
        return sorted(inputs)

    def get_help_text(self) -> str:
        return (
            "Votre mot de passe doit être difficile à deviner : une phrase de plusieurs mots sans lien entre eux "
            "convient, sans votre nom ni votre adresse e-mail. Majuscules, chiffres et symboles ne sont pas exigés."
        )

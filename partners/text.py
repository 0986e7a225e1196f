import unicodedata


def sort_key(text: str) -> str:
    """'École de la 2e Chance' → 'ecole de la 2e chance': accents and case ignored, for sorting and search."""
    decomposed = unicodedata.normalize("NFKD", text.strip())
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()

"""Text as people type and paste it: one hygiene for every single-line field, one key for names.

- ``texthygiene.text``: NFC, stripped, no control or invisible format character (``clean_text``),
  at least one letter in a name (``validate_has_letter``); used by every form (see ``forms``),
  the CSV imports (``csvimport.reading``) and the services that take text directly; ``clip``, the
  one way a text is cut to a column's length (with « … »).
- ``texthygiene.names``: ``name_key``, the one normalisation of people's names that the young
  people's search index and the duplicate checks share (its SQL twin: ``cej_name_key``).
"""

"""CSV imports, whatever they import, explained in French.

Shared by the imports of the applications (the directory in ``partners``, young people in ``cej``):
``reading`` knows files, lines and cells, never what a column means; ``pipeline`` runs an import
(read, preview, all-or-nothing apply, cancel) through the hooks each application gives it;
``workflow`` holds the imports' state tables; ``views``, ``forms`` and ``selectors`` the pages.
"""

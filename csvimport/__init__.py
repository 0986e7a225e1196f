"""Reading CSV files saved by a spreadsheet or exported by another application, explained in French.

Shared by the imports of the applications (the directory in ``partners``, young people in ``cej``):
this package knows files, lines and cells, never what a column means. See ``csvimport.reading``.
"""

from django.apps import AppConfig


class CsvImportConfig(AppConfig):
    # An app only so that ``states`` discovers the imports' tables in ``csvimport.workflow``; no model.
    name = "csvimport"
    verbose_name = "Imports de fichiers CSV"

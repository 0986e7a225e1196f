"""Right of access (RGPD art. 15): the export of everything held on one person, assembled from the
sections each app registers (``privacy.registry``). Names no domain: the apps plug in."""

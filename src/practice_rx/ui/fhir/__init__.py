"""FHIR bundles from the app: a referral exported to a folder, another agency's bundle
imported as an inbound draft (the services do the work: ``services.fhir``)."""

"""Referrals as HL7 FHIR R4 resources profiled by UK Core: export, checks and import.

Plain data in, plain ``dict`` out: the builders and checks need no database, and
``fhir.resources`` (the structural parser) is imported only where a bundle is parsed,
so the command line starts light. See ``docs/fhir.md`` for the choices made.
"""

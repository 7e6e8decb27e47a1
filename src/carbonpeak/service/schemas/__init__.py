"""The API's typed results: one ``…Public`` schema per answer, apart from the store's models
and the engines' frames (as full-stack-fastapi-template keeps ``XPublic`` beside its models).

Every API route names one of these as its ``response_model``, so the OpenAPI document
(``/api/v1/openapi.json``) describes every answer; ``tests/api/test_schemathesis.py`` holds
the answers to them. A field absent from some answers (a target without a value, a
scenario not run) is optional and left out, never sent as ``null`` (the routes that return
dicts set ``response_model_exclude_unset``). Keys that are data — years, city codes, line
codes, scenario names — are ``dict[str, …]``.

========================== =====================================================
module                     answers of
========================== =====================================================
:mod:`.common`             the error body, coverage, a located problem, totals
:mod:`.core`               health, me, refdata, audit, inventories, the engine run
:mod:`.benchmark`          benchmark lines and shares, targets, the dashboard
:mod:`.intake`             submissions, versions, values, diffs, imports
:mod:`.workflow`           workflow moves, adjustments, history, evidence
:mod:`.review`             reviews, projects, registries
:mod:`.scenarios`          projections, Monte Carlo, LMDI, MACC
========================== =====================================================
"""

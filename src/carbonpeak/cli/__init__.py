"""The ``carbonpeak`` command line, one module per area.

- :mod:`~carbonpeak.cli.main` — the root app (``carbonpeak``), ``version`` and ``run``; it
  mounts every area below through the area's ``register(root)``
- :mod:`~carbonpeak.cli.admin` — ``db``, ``user``, ``audit``, ``refdata``, ``units``
- :mod:`~carbonpeak.cli.enterprise` — ``enterprise import|list``
- :mod:`~carbonpeak.cli.inventory` — ``inventory compute|explain|recompute``
- :mod:`~carbonpeak.cli.dashboard` — ``benchmark``, ``targets``
- :mod:`~carbonpeak.cli.intake` — ``template``, ``import``, ``export``
- :mod:`~carbonpeak.cli.workflow` — ``submission …``
- :mod:`~carbonpeak.cli.assignments` — ``verifier assign|unassign|list``, ``round open|status``
- :mod:`~carbonpeak.cli.review` — ``review``, ``project``, ``registry``
- :mod:`~carbonpeak.cli.scenarios` — ``decompose``, ``macc``, ``scenario``

Shared: :mod:`~carbonpeak.cli._console` (consoles, the zh/en error printer) and
:mod:`~carbonpeak.cli._store` (the one way to open the store as ``system``).
"""

"""Request plumbing both HTTP faces share (the API and the pages), so that neither imports the other.

- :mod:`~carbonpeak.http.deps` — the database session per request, the API's bearer context
- :mod:`~carbonpeak.http.params` — bounded parameter types (years, ids)
- :mod:`~carbonpeak.http.files` — size-limited uploads, downloads and stored attachments
- :mod:`~carbonpeak.http.cached` — JSON bodies encoded once per data version
- :mod:`~carbonpeak.http.errors` — the one error handler: JSON under ``/api/``, a page elsewhere
- :mod:`~carbonpeak.http.guard` — the request-body guard (size, credentials before uploads)
- :mod:`~carbonpeak.http.middleware` — request ids and security headers
- :mod:`~carbonpeak.http.background` — serve an app from a thread (tests, screenshots)

Imports only ``service``, ``model``, ``errors`` and ``settings`` (and FastAPI/Starlette);
the composition root (:mod:`carbonpeak.app`) wires it to both faces.
"""

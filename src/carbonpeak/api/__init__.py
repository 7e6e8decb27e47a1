"""The JSON API under ``/api/v1``: thin routers over the services (:data:`routers.API_ROUTERS`).

The application that mounts them beside the web pages is :func:`carbonpeak.app.create_app`.
"""

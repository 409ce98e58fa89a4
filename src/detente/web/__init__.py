"""The Détente web workspace: ``detente serve``.

A thin HTTP API (FastAPI; :mod:`detente.web.api`) and plain HTML pages over the public API
of :mod:`detente`, with an SQLite store (:mod:`detente.web.store`) and background analysis
jobs (:mod:`detente.web.jobs`). Needs the ``web`` extra (fastapi, uvicorn,
python-multipart); :func:`detente.web.app.create_app` builds the application.
"""

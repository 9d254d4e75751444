"""Deployment: the gunicorn, systemd and nginx files beside this one (see docs/deployment.md),
and production-like rehearsals on this machine: `sandbox` (a throw-away PostgreSQL database,
production settings, manage.py and gunicorn in subprocesses) and `two_instances`
(`python -m deploy.two_instances`)."""

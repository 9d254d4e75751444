"""Two gunicorn instances on one database, as behind a load-balancing proxy, then behind
deploy/nginx.conf itself: each check is a function of deploy/two_instances.py or
deploy/behind_nginx.py, which `python -m deploy.two_instances` runs in a row."""

import os
import shutil

import pytest

from deploy import behind_nginx, proxy, two_instances
from deploy.rehearsal import Site
from deploy.sandbox import running_instances, throwaway_database
from tests.deployment.pg import require

# The seal and the demo site (conftest.py) are built once for these: one xdist worker runs
# them (tests/conftest.py, XDIST_GROUPS).


def _ids(checks):
    return [check.__name__.removeprefix("check_") for check in checks]


@pytest.fixture(scope="module")
def site(demo_site, tmp_path_factory):
    """A copy of the demo site (database cej_twoinst_<pid>, stored documents) served by two
    gunicorn processes with deploy/gunicorn.conf.py; both stopped, the copy dropped after."""
    work = tmp_path_factory.mktemp("two-instances")
    shutil.copytree(demo_site.work / "private", work / "private")
    with throwaway_database(f"cej_twoinst_{os.getpid()}", template=demo_site.name) as url:
        env = {**demo_site.env, "DATABASE_URL": url, "PRIVATE_STORAGE_ROOT": str(work / "private")}
        with running_instances(env, work=work) as (a, b):
            yield Site(env=env, a=a, b=b)


@pytest.fixture(scope="module")
def site_behind_nginx(site, tmp_path_factory):
    require(proxy.missing_tools(), "apt-get install nginx-light openssl")
    folder = tmp_path_factory.mktemp("nginx")
    with proxy.running_proxy(backends=[site.a.port, site.b.port], folder=folder) as nginx:
        yield Site(env=site.env, a=site.a, b=site.b, proxy=nginx)


@pytest.mark.parametrize("check", two_instances.CHECKS, ids=_ids(two_instances.CHECKS))
def test_two_instances(site, check):
    """session_is_shared, same_figures, write_is_seen_on_the_other_instance (each process
    keeps its own page cache), logout_is_shared, static_files, behind_the_proxy,
    lockout_is_per_client: see deploy/two_instances.py."""
    check(site)


@pytest.mark.parametrize("check", behind_nginx.NGINX_CHECKS, ids=_ids(behind_nginx.NGINX_CHECKS))
def test_behind_nginx(site_behind_nginx, check):
    """http to https, forwarded headers overwritten, the 20 MB upload limit, static files,
    the log-in rate limit: see deploy/behind_nginx.py."""
    check(site_behind_nginx)

"""docker-compose.yml, Dockerfile, .env.example and .dockerignore, checked without Docker.

No Docker engine runs here, so these tests read the files and check what can be checked:
the services and their healthchecks, that every command names something that exists in the
project (management commands, the Celery app, the queues of settings.CELERY_TASK_QUEUES, the
gunicorn configuration), that every variable is documented, and that no secret is committed.
"""

import re
import shlex

import pytest
from django.conf import settings
from django.core.management import get_commands
from django.utils.module_loading import import_string

from storefront.celery import app as celery_app

from .conftest import ROOT, command_of, seconds

APP_SERVICES = ("preflight", "migrate", "web", "worker", "worker-isipay", "beat", "sandbox")
SECRET_NAME = re.compile(r"SECRET|TOKEN|PASSWORD|_KEY$|KEY_")


def test_the_production_services_are_there(services, compose):
    assert {"postgres", "redis", "migrate", "web", "worker", "beat", "sandbox"} <= set(services)
    assert "postgres-data" in compose["volumes"]
    volume = services["postgres"]["volumes"][0]
    assert volume.split(":")[0] == "postgres-data"  # a named volume, not a folder
    assert services["sandbox"]["profiles"] == ["sandbox"]


def test_every_long_running_service_has_a_healthcheck(services):
    for name, service in services.items():
        if name in ("preflight", "migrate"):
            assert service["restart"] == "no"  # one-shot
            continue
        assert service.get("healthcheck", {}).get("test"), f"{name} has no healthcheck"


def test_healthchecks_probe_what_matters(services):
    def probe(name):
        test = services[name]["healthcheck"]["test"]
        return " ".join(test[1:]) if isinstance(test, list) else test

    assert "pg_isready" in probe("postgres")
    assert probe("redis") == "redis-cli ping"
    assert "urllib.request" in probe("web") and "http://127.0.0.1:8000/healthz" in probe("web")
    assert "inspect ping -d celery@$$HOSTNAME" in probe("worker")
    assert "inspect ping -d celery@$$HOSTNAME" in probe("worker-isipay")
    assert probe("beat").startswith("python manage.py healthcheck beat")
    for name in ("web", "worker", "worker-isipay", "beat"):
        assert seconds(services[name]["healthcheck"]["timeout"]) >= 5


def test_migrations_run_once_before_web_worker_and_beat(services):
    assert command_of(services["migrate"])[:3] == ["python", "manage.py", "migrate"]
    for name in ("web", "worker", "beat"):
        depends = services[name]["depends_on"]
        assert depends["migrate"]["condition"] == "service_completed_successfully", name
        assert depends["postgres"]["condition"] == "service_healthy", name
        assert depends["redis"]["condition"] == "service_healthy", name


def test_nothing_serves_before_check_deploy_passes_without_a_warning(services):
    # ${PREFLIGHT_FAIL_LEVEL:-WARNING}: a warning fails unless a staging shop says otherwise.
    command = [
        re.sub(r"\$\{\w+:-([^}]*)\}", r"\1", part) for part in command_of(services["preflight"])
    ]
    assert command == ["python", "manage.py", "check", "--deploy", "--fail-level", "WARNING"]
    depends = services["migrate"]["depends_on"]
    assert depends["preflight"]["condition"] == "service_completed_successfully"
    for name in ("web", "worker", "beat"):  # they wait for migrate, which waits for this
        assert services[name]["depends_on"]["migrate"]["condition"] == (
            "service_completed_successfully"
        )


def test_app_services_are_configured_only_from_the_env_file(services):
    for name in APP_SERVICES:
        service = services[name]
        assert service["env_file"] == ".env", name
        assert service["environment"]["DEBUG"] == "false", name
        assert service["build"] == "." and service["image"] == "gerai:latest", name


def test_management_commands_in_compose_exist(services):
    commands = get_commands()
    for name, service in services.items():
        words = [*command_of(service)] if "command" in service else []
        test = service.get("healthcheck", {}).get("test", [])
        words += shlex.split(test[1]) if test[:1] == ["CMD-SHELL"] else test
        for i, word in enumerate(words[:-1]):
            if word == "manage.py":
                assert words[i + 1] in commands, f"{name}: manage.py {words[i + 1]}"


def test_celery_commands_use_the_project_app_and_its_queues(services):
    for name in ("worker", "worker-isipay", "beat"):
        command = command_of(services[name])
        assert command[:3] == ["celery", "-A", "storefront"], name
        assert import_string("storefront.celery.app") is celery_app
    queues: list[str] = []
    for name in ("worker", "worker-isipay"):
        worker = command_of(services[name])
        queues += worker[worker.index("-Q") + 1].split(",")
    # Every queue has exactly one kind of worker.
    assert sorted(queues) == sorted(queue.name for queue in settings.CELERY_TASK_QUEUES)
    assert command_of(services["worker"])[command_of(services["worker"]).index("-O") + 1] == "fair"
    routed = {route["queue"] for route in settings.CELERY_TASK_ROUTES.values()}
    assert routed <= set(queues), "a task is routed to a queue no worker consumes"


def test_submissions_and_polls_run_on_threads_that_wait_on_isipay_side_by_side(services):
    worker = command_of(services["worker-isipay"])
    assert worker[worker.index("-Q") + 1].split(",") == ["submit", "poll"]
    assert worker[worker.index("--pool") + 1] == "threads"
    threads = worker[worker.index("--concurrency") + 1]
    assert threads == "${ISIPAY_WORKER_THREADS:-50}"
    # More threads than the shop-wide ceiling would only wait for a call slot.
    assert settings.ISIPAY_MAX_CONCURRENT_CALLS >= 50
    # Each thread holds a database connection: two such containers fit PostgreSQL's limit.
    postgres = command_of(services["postgres"])
    assert "max_connections=${POSTGRES_MAX_CONNECTIONS:-250}" in postgres


def test_beat_runs_exactly_once_with_the_database_scheduler(services):
    beat = services["beat"]
    command = command_of(beat)
    assert command[command.index("--scheduler") + 1] == settings.CELERY_BEAT_SCHEDULER
    assert beat["container_name"]  # compose refuses to scale a service with a fixed name
    assert beat.get("deploy", {}).get("replicas", 1) == 1


def test_workers_shut_down_warm_and_get_time_to_finish_the_longest_task(services):
    celery_app.loader.import_default_modules()
    limits = [
        task.time_limit or celery_app.conf.task_time_limit or 0
        for name, task in celery_app.tasks.items()
        if not name.startswith("celery.")
    ]
    assert max(limits) >= 600  # the catalog sync
    for name in ("worker", "worker-isipay"):
        worker = services[name]
        assert worker["stop_signal"] == "SIGTERM"
        assert seconds(worker["stop_grace_period"]) >= max(limits)
        assert worker.get("init") is True  # signals reach Celery, children are reaped
    web = services["web"]
    gunicorn = import_string("storefront.gunicorn_conf.graceful_timeout")
    assert seconds(web["stop_grace_period"]) > gunicorn


def test_web_runs_gunicorn_with_the_project_config(services):
    command = command_of(services["web"])
    assert command[0] == "gunicorn"
    assert callable(import_string(command[1].replace(":", ".")))
    assert command[command.index("-c") + 1] == "python:storefront.gunicorn_conf"
    assert import_string("storefront.gunicorn_conf.bind").endswith(":8000")
    assert "8000" in [str(port) for port in services["web"]["expose"]]


def test_the_proxy_balances_over_the_web_containers(services):
    proxy = services["proxy"]
    mount = proxy["volumes"][0].split(":")
    assert (ROOT / mount[0]).is_file() and mount[1] == "/etc/caddy/Caddyfile"
    caddyfile = (ROOT / mount[0]).read_text()
    assert re.search(r"dynamic a \{\s*name web\s*port 8000", caddyfile)
    assert "{$SITE_ADDRESS" in caddyfile
    assert services["web"].get("ports") is None  # only through the proxy
    assert services["migrate"]["environment"]["TRUSTED_PROXY_COUNT"] == "1"


def test_the_sandbox_profile_runs_the_sandbox_command(services):
    command = command_of(services["sandbox"])
    assert command[:3] == ["python", "manage.py", "isipay_sandbox"]
    assert command[command.index("--host") + 1] == "0.0.0.0"  # noqa: S104
    assert command[command.index("--port") + 1] == "8765"


def compose_variables(text: str) -> set[str]:
    text = text.replace("$$", "")  # an escaped dollar is the container's own variable
    return set(re.findall(r"\$\{([A-Z_][A-Z0-9_]*)", text))


def settings_variables() -> set[str]:
    source = (ROOT / "storefront" / "settings.py").read_text()
    calls = r"(?:env(?:\.\w+)?|env_or|env_flag|env_number)\(\s*\"([A-Z][A-Z0-9_]*)\""
    return set(re.findall(calls, source))


def test_every_variable_is_documented_in_env_example(env_example):
    compose_text = (ROOT / "docker-compose.yml").read_text()
    used = compose_variables(compose_text) | settings_variables()
    gunicorn = (ROOT / "storefront" / "gunicorn_conf.py").read_text()
    used |= set(re.findall(r"os\.environ\.get\(\"([A-Z_]+)\"", gunicorn))
    missing = sorted(used - set(env_example))
    assert not missing, f"not documented in .env.example: {missing}"
    assert {"POSTGRES_PASSWORD", "SECRET_KEY", "ISIPAY_API_TOKEN", "ADMIN_URL"} <= used


def test_no_secret_is_committed(env_example, services):
    for name, value in env_example.items():
        if SECRET_NAME.search(name) and name != "MIDTRANS_CLIENT_KEY":
            assert value == "", f".env.example gives {name} a value"
    for name, service in services.items():
        for key, value in (service.get("environment") or {}).items():
            value = str(value)
            if SECRET_NAME.search(key):
                assert re.fullmatch(r"\$\{[^}]+\}", value), f"{name}: {key} is not from .env"
            shape = re.sub(r"\$\{[^}]*\}", "<var>", value)
            for password in re.findall(r"://[^/:@]*:([^@/]*)@", shape):
                assert password == "<var>", f"{name}: {key} has a password"
    dockerfile = (ROOT / "Dockerfile").read_text()
    for line in re.findall(r"^(?:ENV|ARG)\s.*$", dockerfile, re.M):
        assert not SECRET_NAME.search(line), line
    assert ".env" in (ROOT / ".gitignore").read_text().split()


def dockerfile_stages() -> list[list[str]]:
    text = (ROOT / "Dockerfile").read_text().replace("\\\n", " ")
    stages: list[list[str]] = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        if line.upper().startswith("FROM "):
            stages.append([])
        if stages:
            stages[-1].append(line)
    return stages


def test_dockerfile_is_multi_stage_slim_and_runs_as_a_non_root_user():
    stages = dockerfile_stages()
    assert len(stages) >= 2
    for stage in stages:
        assert stage[0].split()[1] == "python:3.11-slim"
    final = stages[-1]
    users = [line.split()[1] for line in final if line.startswith("USER ")]
    assert users and users[-1] not in ("root", "0"), "the image must not run as root"
    assert any("useradd" in line and users[-1] in line for line in final)
    assert any("DEBUG=false" in line for line in final if line.startswith("ENV "))


def test_dockerfile_installs_from_the_lock_and_collects_static_files():
    build, final = dockerfile_stages()[0], dockerfile_stages()[-1]
    copy = next(i for i, line in enumerate(build) if "requirements.lock" in line)
    assert build[copy].startswith("COPY ")
    assert any(
        line.startswith("RUN pip install --require-hashes -r requirements.lock")
        for line in build[copy:]
    )
    assert any("manage.py collectstatic --no-input" in line for line in final)
    cmd = next(line for line in final if line.startswith("CMD "))
    assert "storefront.wsgi:application" in cmd and "python:storefront.gunicorn_conf" in cmd


def test_dockerignore_keeps_secrets_and_local_state_out_of_the_image():
    ignored = set((ROOT / ".dockerignore").read_text().split())
    assert {".env", ".venv", ".git", "db.sqlite3*", ".run", "backups", "media"} <= ignored


@pytest.mark.parametrize(
    "name", ["README.md", "pyproject.toml", "requirements.lock", "manage.py", "deploy/Caddyfile"]
)
def test_files_the_image_and_compose_need_exist(name):
    assert (ROOT / name).is_file()


def test_the_proxy_keeps_the_headers_that_mark_a_request_public():
    """/readyz hides its details from requests with X-Forwarded-For (storefront/health.py)."""
    caddyfile = (ROOT / "deploy" / "Caddyfile").read_text()
    assert "reverse_proxy" in caddyfile
    assert not re.search(r"header_up\s+-X-Forwarded", caddyfile, re.I)

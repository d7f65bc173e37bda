"""Every code sample of the README and the docs runs against the emulator (see ``samples.py`` for
the marks), so a sample that breaks fails the build."""

from __future__ import annotations

import ast
import asyncio
import contextlib
import logging
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET
from collections import Counter
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest
from aiohttp import web

import wacr
from tests.docs.samples import PYTHON, ROOT, SHELL, SOURCES, Sample, fence_count, samples_of, shell_commands
from tests.fleet.conftest import RedisServer
from wacr import webhooks
from wacr.testing import Emulator

ALL = [sample for path in SOURCES for sample in samples_of(path)]
RUNNABLE = ("script", "client", "webhook", "run")
PAGES = [path for path in SOURCES if any(s.mode in RUNNABLE for s in samples_of(path))]
# Tokens the samples use; the emulator accepts them as tenant 1's.
SAMPLE_TOKENS = ("YOUR_TOKEN",)


def test_every_sample_is_run_or_marked_and_the_parser_misses_none() -> None:
    # A second count by a plain regex: a block the parser skipped would go unchecked.
    for path in SOURCES:
        found = samples_of(path)
        assert sum(s.kind == "python" for s in found) == fence_count(path, PYTHON), path
        assert sum(s.kind == "shell" for s in found) == fence_count(path, SHELL), path
    modes = Counter(f"{s.kind}:{s.mode}" for s in ALL)
    print("doc samples:", dict(sorted(modes.items())))
    # The pages hold samples at all (an empty harvest would pass everything).
    assert modes["python:script"] + modes["python:client"] >= 20, modes
    readme = [s for s in ALL if s.path.name == "README.md"]
    assert readme and readme[0].kind == "shell"
    assert [c.split("#")[0].strip() for c in shell_commands(readme[0])[:2]] == ["make demo", "make test"]


def test_make_demo_as_the_readme_says_runs_the_tour() -> None:
    first = next(s for s in ALL if s.path.name == "README.md")
    assert shell_commands(first)[0].split("#")[0].strip() == "make demo"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("MAKE", "WACR_"))}
    proc = subprocess.run(["make", "demo"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, proc.stdout[-3000:] + proc.stderr[-3000:]
    assert "Tour done in" in proc.stdout


@pytest.mark.parametrize("sample", [s for s in ALL if s.mode == "partial"], ids=lambda s: s.where)
def test_a_partial_sample_still_compiles(sample: Sample, tmp_path: Path) -> None:
    if sample.kind == "python":
        compile(sample.code, sample.where, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    else:
        script = tmp_path / "sample.sh"
        script.write_text(sample.code if not sample.code.startswith("$ ") else _console(sample))
        proc = subprocess.run(["bash", "-n", str(script)], capture_output=True, text=True)
        assert proc.returncode == 0, f"{sample.where}: {proc.stderr}"


def _console(sample: Sample) -> str:
    return "\n".join(shell_commands(sample)) + "\n"


@pytest.fixture
def emulator(wacr_emulator: Emulator, monkeypatch: pytest.MonkeyPatch) -> Iterator[Emulator]:
    for token in SAMPLE_TOKENS:
        wacr_emulator.add_token(token)
    monkeypatch.setenv("WACR_TOKEN", wacr_emulator.token)
    monkeypatch.setenv("WACR_BASE_URL", wacr_emulator.base_url)
    yield wacr_emulator
    wacr_emulator.clear_webhooks()


@pytest.fixture(scope="session")
def redis_url(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real redis-server on a free loopback port, for the pages whose samples read REDIS_URL."""
    binary = shutil.which("redis-server")
    if binary is None:
        pytest.fail("redis-server is missing: run scripts/ensure-redis.sh (make setup does)")
    server = RedisServer(binary, tmp_path_factory.mktemp("redis"))
    server.start()
    try:
        yield server.url
    finally:
        server.kill()


@pytest.mark.parametrize("page", PAGES, ids=lambda p: str(p.relative_to(ROOT)))
def test_the_samples_of_a_page_run(
    page: Path, emulator: Emulator, request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The page's runnable samples, top to bottom: scripts alone, client blocks in one namespace."""
    if "REDIS_URL" in page.read_text(encoding="utf-8"):
        monkeypatch.setenv("REDIS_URL", request.getfixturevalue("redis_url"))
    samples = [s for s in samples_of(page) if s.mode in RUNNABLE]
    with asyncio.Runner() as runner:
        namespace: dict[str, Any] = {}
        try:
            for sample in samples:
                if sample.mode == "script":
                    _run_script(sample)
                elif sample.mode == "client":
                    if not namespace:
                        namespace = runner.run(_client_namespace(emulator))
                    _run_client_block(runner, sample, namespace)
                elif sample.mode == "webhook":
                    runner.run(_run_webhook(sample, emulator))
                else:
                    _run_shell(sample, emulator)
        finally:
            if "client" in namespace:
                runner.run(namespace["client"].aclose())


def _compile(sample: Sample, flags: int = 0) -> Any:
    """The sample's code, with tracebacks pointing at its lines in the Markdown file."""
    return compile("\n" * sample.line + sample.code, str(sample.path), "exec", flags=flags)


def _run_script(sample: Sample) -> None:
    code = _compile(sample)
    exec(code, {"__name__": "__main__"})


async def _client_namespace(emulator: Emulator) -> dict[str, Any]:
    client = wacr.Client(emulator.token, base_url=emulator.base_url)
    return {
        "__name__": "__doc_sample__",
        "client": client,
        "emulator": emulator,
        "wacr": wacr,
        "asyncio": asyncio,
    }


def _run_client_block(runner: asyncio.Runner, sample: Sample, namespace: dict[str, Any]) -> None:
    result = eval(_compile(sample, ast.PyCF_ALLOW_TOP_LEVEL_AWAIT), namespace)
    if asyncio.iscoroutine(result):
        runner.run(result)


class _Errors(logging.Handler):
    """Collects the ERROR records of a logger (a failed webhook handler is logged, not raised)."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


async def _run_webhook(sample: Sample, emulator: Emulator) -> None:
    namespace: dict[str, Any] = {"__name__": "__doc_sample__"}
    exec(_compile(sample), namespace)
    app, router = namespace.get("app"), namespace.get("router")
    assert isinstance(router, webhooks.Router), f"{sample.where}: a webhook sample defines `router`"
    errors = _Errors()
    logging.getLogger("wacr.webhooks").addHandler(errors)
    before = len(emulator.outbox)
    try:
        async with _serve(app, sample) as origin:
            hook = emulator.add_webhook(origin + sample.why)
            async with wacr.Client(emulator.token, base_url=emulator.base_url) as client:
                await client.contacts.create(
                    firstname="Dana",
                    lastname="Doc",
                    phone=f"+1555{sample.line:07d}",  # one contact per sample
                    type="lead",
                    source_id=1,
                    status_id=1,
                )
            await emulator.flush_webhooks()
            assert await router.drain(10), f"{sample.where}: handlers still running after 10 s"
            emulator.remove_webhook(hook.id)
    finally:
        logging.getLogger("wacr.webhooks").removeHandler(errors)
    mine = [d for d in emulator.deliveries if d.webhook_id == hook.id]
    assert mine, f"{sample.where}: nothing was delivered"
    assert {d.status for d in mine} == {200}, [(d.event_type, d.status, d.error) for d in mine]
    assert not errors.records, f"{sample.where}: " + "; ".join(r.getMessage() for r in errors.records)
    sent = len(emulator.outbox) - before
    assert sent >= 1, f"{sample.where}: the bot sent nothing for contact.created"
    print(f"{sample.where}: {len(mine)} deliveries, {sent} messages sent")


@contextlib.asynccontextmanager
async def _serve(app: object, sample: Sample) -> AsyncIterator[str]:
    """Serve an aiohttp app or an ASGI app (with uvicorn) on a free loopback port."""
    if isinstance(app, web.Application):
        runner = web.AppRunner(app, handle_signals=False)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        try:
            port = runner.addresses[0][1]
            yield f"http://127.0.0.1:{port}"
        finally:
            await runner.cleanup()
        return
    assert callable(app), f"{sample.where}: a webhook sample defines `app` (aiohttp or ASGI)"
    import uvicorn

    sock = socket.socket()
    sock.bind(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(app, lifespan="on", log_level="warning"))
    task = asyncio.create_task(server.serve(sockets=[sock]))
    try:
        while not server.started:
            assert not task.done(), f"{sample.where}: uvicorn stopped: {task.exception()!r}"
            await asyncio.sleep(0.01)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}"
    finally:
        server.should_exit = True
        await task
        sock.close()


def _shell_env(emulator: Emulator) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("MAKE")}
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env.get('PATH', '')}"
    env["WACR_TOKEN"] = emulator.token
    env["WACR_BASE_URL"] = emulator.base_url
    env["NO_COLOR"] = "1"
    return env


def _run_shell(sample: Sample, emulator: Emulator) -> None:
    """A plain block runs as one bash script (heredocs work); a console block runs its ``$``
    lines. Both in a fresh directory, stopping at the first failing command."""
    console = sample.code.startswith("$ ")
    script = "\n".join(shell_commands(sample)) if console else sample.code
    with tempfile.TemporaryDirectory() as cwd:
        proc = subprocess.run(
            ["bash", "-e", "-o", "pipefail", "-c", script],
            cwd=cwd,
            env=_shell_env(emulator),
            capture_output=True,
            text=True,
            timeout=60,
        )
    assert proc.returncode == 0, f"{sample.where}: exited {proc.returncode}:\n{proc.stdout}\n{proc.stderr}"


@pytest.mark.parametrize("mode", ["auto", "strict"])
def test_the_pytest_samples_pass_in_their_asyncio_mode(mode: str, tmp_path: Path) -> None:
    """Each pytest sample is a test module of its own, run by pytest outside this repository (no
    conftest, no ini file: what a user's project has), with pytest-asyncio in the given mode."""
    chosen = [s for s in ALL if s.mode == f"pytest-{mode}"]
    assert chosen, f"no pytest-{mode} sample in the docs"
    files = {}
    for number, sample in enumerate(chosen):
        name = f"test_sample_{number}.py"
        (tmp_path / name).write_text(sample.code)
        files[f"test_sample_{number}"] = sample.where
    report = tmp_path / "report.xml"
    # Only the plugins a user of these samples has (autoloading every plugin of this dev
    # environment, schemathesis's and hypothesis's included, costs seconds per run).
    plugins = ["pytest_asyncio.plugin", "anyio.pytest_plugin", "wacr.testing.pytest_plugin"]
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WACR_", "PYTEST_"))}
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    command = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", *(f"-p{p}" for p in plugins)]
    command += [
        "-o",
        f"asyncio_mode={mode}",
        "-W",
        "error::ResourceWarning",
        f"--junitxml={report}",
        str(tmp_path),
    ]
    proc = subprocess.run(
        command,
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        env=env,
    )
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
    passed = Counter(
        case.get("classname", "").split(".")[0]
        for case in ET.parse(report).getroot().iter("testcase")
        if not any(child.tag in ("failure", "error", "skipped") for child in case)
    )
    for module, where in files.items():
        assert passed[module] >= 1, f"{where}: the sample ran no passing test"

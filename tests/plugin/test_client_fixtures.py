"""The client fixtures in real pytest runs: ``wacr_client`` on every loop scope pytest-asyncio
offers, ``wacr_anyio_client``'s refusal in auto mode, and the fixture client's retry wait."""

from __future__ import annotations

from pathlib import Path

import pytest

from ._runs import run_pytest

# Every way a test picks its loop: the default, a marker on the test, on its class, on its module.
SCOPED_TESTS = """
import asyncio

import pytest

LOOPS = {}


async def _use(client, emulator, name):
    account = await client.account.get()
    assert account.name == "Acme Ltd"
    await client.messages.send_text(phone="+201000000009", message=name)
    assert [m.text for m in emulator.outbox] == [name]  # and a fresh emulator each test
    LOOPS[name] = asyncio.get_running_loop()


@pytest.mark.asyncio
async def test_default_loop(wacr_client, wacr_emulator):
    await _use(wacr_client, wacr_emulator, "default")


@pytest.mark.asyncio(loop_scope="session")
async def test_session_loop(wacr_client, wacr_emulator):
    await _use(wacr_client, wacr_emulator, "session")


@pytest.mark.asyncio(loop_scope="session")
async def test_session_loop_again(wacr_client, wacr_emulator):
    await _use(wacr_client, wacr_emulator, "session again")
    assert LOOPS["session again"] is LOOPS["session"]  # the very loop the earlier test used


@pytest.mark.asyncio(loop_scope="module")
async def test_module_loop(wacr_client, wacr_emulator):
    await _use(wacr_client, wacr_emulator, "module")


@pytest.mark.asyncio(loop_scope="class")
class TestOnAClassLoop:
    async def test_one(self, wacr_client, wacr_emulator):
        await _use(wacr_client, wacr_emulator, "class one")

    async def test_two(self, wacr_client, wacr_emulator):
        await _use(wacr_client, wacr_emulator, "class two")
        assert LOOPS["class two"] is LOOPS["class one"]


@pytest.fixture
async def bot(wacr_client):  # a user fixture built on wacr_client
    return wacr_client


@pytest.mark.asyncio(loop_scope="session")
async def test_through_a_user_fixture(bot, wacr_emulator):
    await _use(bot, wacr_emulator, "user fixture")
"""

MODULE_MARKED = """
import pytest

pytestmark = pytest.mark.asyncio(loop_scope="module")


async def test_module_marked(wacr_client, wacr_emulator):
    assert (await wacr_client.account.get()).name == "Acme Ltd"
"""


@pytest.mark.parametrize(
    "ini",
    [
        {"asyncio_mode": "strict", "asyncio_default_fixture_loop_scope": "function"},
        {"asyncio_mode": "auto", "asyncio_default_fixture_loop_scope": "function"},
        # Fixtures default to the session loop while these tests run on their own loops.
        {"asyncio_mode": "auto", "asyncio_default_fixture_loop_scope": "session"},
        # Every test on the session loop unless marked otherwise.
        {"asyncio_mode": "strict", "asyncio_default_fixture_loop_scope": "function",
         "asyncio_default_test_loop_scope": "session"},
    ],
    ids=["strict", "auto", "auto-session-fixture-loop", "strict-session-test-loop"],
)  # fmt: skip
def test_wacr_client_runs_on_the_tests_loop_whatever_its_scope(tmp_path: Path, ini: dict[str, str]) -> None:
    files = {"test_scoped.py": SCOPED_TESTS, "test_module_marked.py": MODULE_MARKED}
    if ini["asyncio_mode"] == "strict":  # there a user's async fixture must be pytest-asyncio's
        files["test_scoped.py"] = SCOPED_TESTS.replace(
            "@pytest.fixture\nasync def bot", "@pytest_asyncio.fixture(loop_scope='session')\nasync def bot"
        ).replace("import pytest\n", "import pytest\nimport pytest_asyncio\n", 1)
    run = run_pytest(tmp_path, files, ini=ini)
    assert run.returncode == 0, run.output
    assert run.outcomes() == {"passed": 8}, run.output


ANYIO_TEST = """
import pytest


@pytest.fixture
def anyio_backend():
    return "asyncio"


@pytest.mark.anyio
async def test_account(wacr_anyio_client, wacr_emulator):
    account = await wacr_anyio_client.account.get()
    assert account.name == "Acme Ltd"
"""


@pytest.mark.parametrize("how", ["ini", "command line"])
def test_wacr_anyio_client_refuses_pytest_asyncio_auto_mode(tmp_path: Path, how: str) -> None:
    ini = {"asyncio_default_fixture_loop_scope": "function"}
    args: tuple[str, ...] = ()
    if how == "ini":
        ini["asyncio_mode"] = "auto"
    else:
        args = ("--asyncio-mode=auto",)
    run = run_pytest(tmp_path, {"test_anyio.py": ANYIO_TEST}, ini=ini, args=args)
    assert run.outcomes() == {"error": 1}, run.output  # an error that says why, and no leaked socket
    assert "wacr_anyio_client does not work with pytest-asyncio in auto mode" in run.output
    assert "Use wacr_client" in run.output
    assert "ResourceWarning" not in run.output and "unclosed" not in run.output, run.output


@pytest.mark.parametrize("asyncio", [True, False], ids=["pytest-asyncio strict", "no pytest-asyncio"])
def test_wacr_anyio_client_works_where_anyio_runs_its_fixtures(tmp_path: Path, asyncio: bool) -> None:
    ini = {"asyncio_mode": "strict", "asyncio_default_fixture_loop_scope": "function"} if asyncio else {}
    run = run_pytest(tmp_path, {"test_anyio.py": ANYIO_TEST}, ini=ini, asyncio=asyncio)
    assert run.returncode == 0, run.output
    assert run.outcomes() == {"passed": 1}, run.output


RETRY_WAIT = """
import pytest

import wacr
from wacr.testing.pytest_plugin import FIXTURE_MAX_RETRY_WAIT


async def test_a_retry_after_within_the_bound_is_waited_out(wacr_client, wacr_emulator):
    wacr_emulator.inject("GET /account", status=429, retry_after=1)
    account = await wacr_client.account.get()
    assert account.response.attempts == 2


async def test_a_longer_retry_after_raises_at_once(wacr_client, wacr_emulator):
    assert FIXTURE_MAX_RETRY_WAIT == 5.0
    wacr_emulator.inject("POST /messages/text", status=429, retry_after=FIXTURE_MAX_RETRY_WAIT + 1)
    with pytest.raises(wacr.RateLimitError) as caught:
        await wacr_client.messages.send_text(phone="+201000000001", message="x")
    assert caught.value.retry_after == 6
    assert len(wacr_emulator.received) == 1  # not retried: the fixture's client does not sleep 6 s
"""


def test_the_fixture_clients_retry_wait_is_the_documented_one(tmp_path: Path) -> None:
    ini = {"asyncio_mode": "auto", "asyncio_default_fixture_loop_scope": "function"}
    run = run_pytest(tmp_path, {"test_retry_wait.py": RETRY_WAIT}, ini=ini)
    assert run.returncode == 0, run.output
    assert run.outcomes() == {"passed": 2}, run.output

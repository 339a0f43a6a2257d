"""Real JupyterLab servers and a real Chromium for the browser tests.

Playwright drives the system's Chromium (Debian's ``chromium`` package; Playwright's own
browser download is not used).  ``make test`` installs it when it is missing.
"""

from __future__ import annotations

import contextlib
import os
import secrets
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass
from pathlib import Path

from cbec import paths
from cbec.identity import STUDENT_ID_ENV

#: failure screenshots and server logs of the browser tests (kept as CI artefacts)
ARTIFACTS = paths.project_root() / "test-results"


def chromium_executable() -> str:
    """The Chromium Playwright should drive, or an error saying how to install it."""
    found = os.environ.get("CBEC_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        raise RuntimeError("The browser tests need Chromium: `apt-get install chromium` (Debian/Ubuntu; "
                           "`make test` does this when it runs as root) or set CBEC_CHROMIUM to its path.")
    return found


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@dataclass
class JupyterLab:
    """A JupyterLab server of one user (its own HOME), serving ``root``."""

    root: Path
    home: Path
    url: str
    token: str
    process: subprocess.Popen
    log: Path

    def page_url(self, path: str = "lab") -> str:
        separator = "&" if "?" in path else "?"
        return f"{self.url}/{path}{separator}token={self.token}"


@contextlib.contextmanager
def jupyter_lab(root: Path, home: Path, name: str, env: dict[str, str] | None = None, timeout: float = 90):
    """Start ``jupyter lab`` in ``root`` as a user whose home is ``home``; stop it afterwards."""
    home.mkdir(parents=True, exist_ok=True)
    port, token = _free_port(), secrets.token_hex(16)
    environment = {key: value for key, value in os.environ.items()
                   if key not in (STUDENT_ID_ENV, "JUPYTERHUB_USER")}
    environment.update({"HOME": str(home), "JUPYTER_CONFIG_DIR": str(home / ".jupyter"),
                        "JUPYTER_DATA_DIR": str(home / ".local/share/jupyter"),
                        "JUPYTER_RUNTIME_DIR": str(home / ".local/share/jupyter/runtime"),
                        **(env or {})})
    settings = home / ".jupyter/lab/user-settings/@jupyterlab/apputils-extension"
    settings.mkdir(parents=True, exist_ok=True)  # no "Jupyter news?" toast over the page
    (settings / "notification.jupyterlab-settings").write_text('{"fetchNews": "false"}')
    ARTIFACTS.mkdir(exist_ok=True)
    log = ARTIFACTS / f"jupyterlab-{name}.log"
    command = [str(Path(sys.executable).parent / "jupyter"), "lab", "--no-browser", "--ip=127.0.0.1",
               f"--port={port}", f"--IdentityProvider.token={token}", f"--ServerApp.root_dir={root}",
               "--ServerApp.allow_root=True", "--LabApp.news_url=", "--ServerApp.open_browser=False",
               "--LabApp.check_for_updates_class=jupyterlab.NeverCheckForUpdate"]
    with log.open("w") as log_file:
        process = subprocess.Popen(command, cwd=root, env=environment, stdout=log_file, stderr=subprocess.STDOUT)
    lab = JupyterLab(root, home, f"http://127.0.0.1:{port}", token, process, log)
    try:
        _wait_until_up(lab, timeout)
        yield lab
    finally:
        process.terminate()
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            process.kill()


def _wait_until_up(lab: JupyterLab, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if lab.process.poll() is not None:
            raise RuntimeError(f"jupyter lab exited with {lab.process.returncode}; see {lab.log}")
        with contextlib.suppress(OSError):
            with urllib.request.urlopen(f"{lab.url}/api/status?token={lab.token}", timeout=2):
                return
        time.sleep(0.3)
    raise RuntimeError(f"jupyter lab did not answer within {timeout:.0f} s; see {lab.log}")


# pytest fixtures ------------------------------------------------------------------------
import pytest  # noqa: E402


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_makereport(item, call):
    """Remember each phase's outcome on the test item, for the failure screenshots."""
    outcome = yield
    report = outcome.get_result()
    setattr(item, f"report_{report.when}", report)


@pytest.fixture(scope="module")
def chromium():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_executable(),
                                             args=["--no-sandbox", "--disable-dev-shm-usage"])
        yield browser
        browser.close()


@pytest.fixture
def page(chromium, request):
    """A fresh browser page; if the test fails, a screenshot is kept in ``test-results/``."""
    context = chromium.new_context(viewport={"width": 1400, "height": 1000})
    context.set_default_timeout(30_000)
    tab = context.new_page()
    yield tab
    report = getattr(request.node, "report_call", None)
    if report is not None and report.failed:
        ARTIFACTS.mkdir(exist_ok=True)
        name = "".join(c if c.isalnum() or c in "-_." else "_" for c in request.node.nodeid)
        tab.screenshot(path=str(ARTIFACTS / f"{name}.png"), full_page=True)
    context.close()


def block_network(tab) -> list[str]:
    """Refuse every request that leaves the machine; return the list of those attempted."""
    attempted: list[str] = []

    def route(handled):
        url = handled.request.url
        if url.startswith(("http://", "https://")) and not url.startswith(("http://127.0.0.1", "http://localhost")):
            attempted.append(url)
            handled.abort()
        else:
            handled.continue_()

    tab.route("**/*", route)
    return attempted

"""Production settings pass Django's deployment checklist with zero warnings (reliability.md T8)."""

import os
import subprocess
import sys
from pathlib import Path

BASE_DIR = Path(__file__).resolve().parent.parent


def test_check_deploy_reports_no_issues_with_production_settings():
    env = dict(os.environ)
    # Settings that would weaken production (a real deployment does not set them) and a test-only escape hatch.
    for name in ("DJANGO_SECURE_SSL_REDIRECT", "DJANGO_HSTS_SECONDS", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    env.update(
        DJANGO_DEBUG="0",
        DJANGO_SECRET_KEY="k3y-for-the-deploy-check-" + "x7Qp9vLr2mZt8cWb4nHs6dYf1gJa5eUo3iK0" * 2,
        DJANGO_ALLOWED_HOSTS="costbook.example.com",
        DJANGO_SETTINGS_MODULE="config.settings",
    )
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=BASE_DIR,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, output
    assert "System check identified no issues (0 silenced)." in output

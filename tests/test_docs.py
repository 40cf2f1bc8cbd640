"""Every setting is documented in the README, and no code reads an undocumented one."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from geo import settings
from geo.settings import SETTINGS

ROOT = Path(__file__).resolve().parents[1]
README = (ROOT / "README.md").read_text(encoding="utf-8")
CODE = [p for d in ("geo", "layers", "app_pages", "api") for p in (ROOT / d).rglob("*.py")]
CODE += [ROOT / "app.py", ROOT / "streamlit_app.py"]


def _readme_row(name: str) -> str | None:
    for line in README.splitlines():
        if line.startswith(f"| `{name}` |"):
            return line
    return None


@pytest.mark.parametrize("setting", SETTINGS, ids=lambda s: s.name)
def test_every_setting_has_a_row_in_the_readme_with_its_default(setting):
    row = _readme_row(setting.name)
    assert row is not None, f"README has no row for {setting.name} in its Settings table"
    if setting.default is not None:
        assert f"`{setting.default}`" in row
    assert setting.help.strip()


def test_every_variable_the_code_names_is_a_setting():
    named = set()
    for path in CODE:
        named |= set(re.findall(r"KCN_ATLAS_[A-Z_]+", path.read_text(encoding="utf-8")))
    assert named <= {s.name for s in SETTINGS}


def test_the_environment_is_read_only_through_settings():
    for path in CODE:
        if path.name == "settings.py":
            continue
        text = path.read_text(encoding="utf-8")
        assert "os.environ" not in text and "getenv(" not in text, path


@pytest.mark.parametrize("value", ["abc", "-1", "nan", "inf"])
def test_a_bad_timeout_is_a_clear_error(monkeypatch, value):
    monkeypatch.setenv("KCN_ATLAS_LOCK_TIMEOUT", value)
    with pytest.raises(settings.SettingError, match="KCN_ATLAS_LOCK_TIMEOUT must be a number"):
        settings.lock_timeout()


def test_defaults_apply_when_unset_or_empty(monkeypatch):
    monkeypatch.setenv("KCN_ATLAS_LOCK_TIMEOUT", "")
    monkeypatch.delenv("KCN_ATLAS_WRITE_TIMEOUT", raising=False)
    assert settings.lock_timeout() == 60
    assert settings.write_timeout() == 600
    monkeypatch.setenv("KCN_ATLAS_USER", "  lan ")
    assert settings.user() == "lan"

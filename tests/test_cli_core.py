"""sijil db … and sijil user …, run as a user would run them."""

from __future__ import annotations

import re

from records.migrations import head_revision


def test_db_upgrade_then_current_on_a_new_database(empty_engine, sijil):
    before = sijil(empty_engine, "db", "current")
    assert (before.returncode, before.stdout.strip()) == (0, "empty (behind head "
                                                          f"{head_revision()})")
    upgraded = sijil(empty_engine, "db", "upgrade")
    assert upgraded.returncode == 0, upgraded.stderr
    current = sijil(empty_engine, "db", "current")
    assert current.stdout.strip() == f"{head_revision()} (head)"


def test_user_add_and_list(bare_engine, sijil):
    added = sijil(bare_engine, "user", "add", "amina", "--role", "admin", "--password-stdin",
                  stdin="a long password\n")
    assert (added.returncode, added.stdout.strip()) == (0, "added amina (admin)")
    second = sijil(bare_engine, "user", "add", "bilal", "--role", "caseworker", "--password-stdin",
                   "--as", "amina", stdin="another long one\n")
    assert second.returncode == 0, second.stderr
    listed = sijil(bare_engine, "user", "list")
    assert [line.split("\t")[:3] for line in listed.stdout.splitlines()] == [
        ["amina", "admin", "active"], ["bilal", "caseworker", "active"]]


def test_user_errors_are_one_line_and_exit_1(engine, sijil):
    taken = sijil(engine, "user", "add", "carla", "--role", "viewer", "--password-stdin",
                  "--as", "admin", stdin="a long password\n")
    assert taken.returncode == 1
    assert taken.stderr.strip() == "sijil: username: the username carla is taken"
    unknown_actor = sijil(engine, "user", "add", "zed", "--role", "viewer", "--password-stdin",
                          "--as", "ghost", stdin="a long password\n")
    assert unknown_actor.returncode == 1
    assert unknown_actor.stderr.strip() == "sijil: no user named ghost"
    not_admin = sijil(engine, "user", "add", "zed", "--role", "viewer", "--password-stdin",
                      "--as", "carla", stdin="a long password\n")
    assert not_admin.returncode == 1
    assert "needs the Administrator role" in not_admin.stderr
    assert "Traceback" not in taken.stderr + unknown_actor.stderr + not_admin.stderr


def test_usage_errors_exit_2(tmp_path, sijil_process):
    result = sijil_process(f"sqlite:///{tmp_path / 'x.db'}", "user", "add")
    assert result.returncode == 2


def test_unreachable_database_is_a_clear_error(tmp_path, sijil_process):
    result = sijil_process("postgresql+psycopg://nobody@127.0.0.1:9/none", "user", "list")
    assert result.returncode == 1
    assert result.stderr == ("sijil: The database cannot be reached: ask the administrator to "
                             "check that it is running and that SIJIL_DATABASE_URL names it.\n")
    assert "Traceback" not in result.stderr


def _run_ui(engine, monkeypatch, tmp_path, **env) -> tuple[object, list[list[str]]]:
    """`sijil ui` in this process, stopped where it would become the server."""
    from typer.testing import CliRunner

    from records.cli import _register, app, commands_core

    _register()
    started: list[list[str]] = []
    monkeypatch.setattr(commands_core.os, "execv", lambda _exe, args: started.append(args))
    monkeypatch.delenv("SIJIL_HOST", raising=False)
    env = {"SIJIL_DATABASE_URL": engine.url.render_as_string(hide_password=False),
           "SIJIL_SETUP_CODE_FILE": str(tmp_path / "sijil.setup-code"), **env}
    result = CliRunner().invoke(app, ["ui", "--port", "8600"], env=env)
    return result, started


def _option(command: list[str], name: str) -> str:
    return command[command.index(name) + 1]


def test_ui_listens_on_localhost_only_unless_sijil_host_says_otherwise(engine, monkeypatch,
                                                                      tmp_path):
    result, [command] = _run_ui(engine, monkeypatch, tmp_path)
    assert result.exit_code == 0, result.output
    assert command[1:4] == ["-m", "streamlit", "run"]
    assert command[4].endswith("ui/server.py")
    assert _option(command, "--server.address") == "127.0.0.1"
    assert _option(command, "--server.port") == "8600"
    assert _option(command, "--client.showErrorDetails") == "none"
    assert _option(command, "--server.maxUploadSize") == "50"  # SIJIL_MAX_FILE_MB
    assert "Setup code" not in result.output

    result, [command] = _run_ui(engine, monkeypatch, tmp_path, SIJIL_HOST="0.0.0.0")
    assert _option(command, "--server.address") == "0.0.0.0"
    assert "other computers can reach the workspace" in result.output


def test_ui_on_an_empty_database_prints_a_setup_code_and_where_it_is_kept(
        bare_engine, monkeypatch, tmp_path):
    from records.db import unit_of_work
    from records.services.access import SYSTEM
    from records.services.setup import create_first_admin

    result, _started = _run_ui(bare_engine, monkeypatch, tmp_path)
    code_file = tmp_path / "sijil.setup-code"
    code = re.search(r"Setup code: (\S+)", result.output).group(1)
    assert str(code_file) in result.output
    assert code_file.exists() and code not in code_file.read_text()
    monkeypatch.setenv("SIJIL_SETUP_CODE_FILE", str(code_file))
    with unit_of_work(bare_engine) as session:
        create_first_admin(session, setup_code=code, username="amina", password="a long password",
                           by=SYSTEM)
    assert not code_file.exists()


def test_user_add_on_an_empty_database_stays_allowed_and_retires_a_setup_code(
        bare_engine, monkeypatch, tmp_path, sijil):
    _run_ui(bare_engine, monkeypatch, tmp_path)
    code_file = tmp_path / "sijil.setup-code"
    assert code_file.exists()
    monkeypatch.setenv("SIJIL_SETUP_CODE_FILE", str(code_file))
    added = sijil(bare_engine, "user", "add", "amina", "--role", "admin", "--password-stdin",
                  stdin="a long password\n")
    assert added.returncode == 0, added.stderr
    assert not code_file.exists()

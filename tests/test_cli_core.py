"""sijil db … and sijil user …, run as a user would run them."""

from __future__ import annotations

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
    assert "needs the admin role" in not_admin.stderr
    assert "Traceback" not in taken.stderr + unknown_actor.stderr + not_admin.stderr


def test_usage_errors_exit_2(tmp_path, sijil):
    result = sijil(f"sqlite:///{tmp_path / 'x.db'}", "user", "add")
    assert result.returncode == 2


def test_unreachable_database_is_a_clear_error(tmp_path, sijil):
    result = sijil("postgresql+psycopg://nobody@127.0.0.1:9/none", "user", "list")
    assert result.returncode == 1
    assert result.stderr.startswith("sijil: cannot use the database")
    assert "Traceback" not in result.stderr

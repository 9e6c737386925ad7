"""Where the data lives, and the owner-only modes of what aml creates."""

import os

import platformdirs

from aml_cli.store.paths import aml_home, private_dir, private_file, s3_root


def test_aml_home_comes_from_the_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("AML_HOME", str(tmp_path / "here"))
    assert aml_home() == tmp_path / "here"


def test_without_aml_home_the_user_data_dir_is_used(monkeypatch):
    monkeypatch.delenv("AML_HOME")
    assert str(aml_home()) == platformdirs.user_data_dir("aml")


def test_the_s3_root_defaults_to_a_folder_in_the_home_and_can_be_moved(monkeypatch, tmp_path, aml_home):
    monkeypatch.delenv("AML_S3_ROOT", raising=False)
    assert s3_root() == aml_home / "s3"
    monkeypatch.setenv("AML_S3_ROOT", str(tmp_path / "buckets"))
    assert s3_root() == tmp_path / "buckets"


def test_created_folders_are_0700_and_files_0600_even_with_an_open_umask(tmp_path):
    old = os.umask(0)
    try:
        folder = private_dir(tmp_path / "a" / "b")
        file = private_file(folder / "f")
    finally:
        os.umask(old)
    assert (tmp_path / "a").stat().st_mode & 0o777 == 0o700
    assert folder.stat().st_mode & 0o777 == 0o700
    assert file.stat().st_mode & 0o777 == 0o600


def test_private_file_never_truncates(tmp_path):
    path = tmp_path / "log"
    path.write_text("kept")
    private_file(path)
    assert path.read_text() == "kept"

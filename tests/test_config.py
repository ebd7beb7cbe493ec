"""Configuration: the shipped config.yaml loads; every mistake is named."""

from pathlib import Path

import pytest

from pipeline.config import Config, ConfigError, load_config

REPO_CONFIG = Path(__file__).resolve().parents[1] / "config.yaml"


def write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_repo_config_loads():
    cfg = load_config(REPO_CONFIG)
    assert isinstance(cfg, Config)
    assert cfg.batch_size >= 1
    assert cfg.output == "outputs"
    assert 0 <= cfg.reconcile.tolerance <= 0.5
    assert Path(cfg.base_dir) == REPO_CONFIG.parent
    for name in ("date_patterns", "figure_patterns", "gazetteer", "predicates", "chrome"):
        assert cfg.data_path(getattr(cfg.data, name)).exists(), name


def test_partial_config_keeps_defaults(tmp_path):
    cfg = load_config(write(tmp_path, "batch_size: 4\nreconcile:\n  tolerance: 0.01\n"))
    assert cfg.batch_size == 4
    assert cfg.reconcile.tolerance == 0.01
    assert cfg.reconcile.prefer_asserted is True
    assert cfg.max_file_bytes == Config().max_file_bytes
    assert cfg.base_dir == str(tmp_path.resolve())


def test_empty_file_is_the_defaults(tmp_path):
    cfg = load_config(write(tmp_path, "# nothing here\n"))
    assert cfg.model_dump(exclude={"base_dir"}) == Config().model_dump(exclude={"base_dir"})


def test_misspelt_key_is_named(tmp_path):
    path = write(tmp_path, "batch_sise: 4\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert "batch_sise" in str(info.value)
    assert str(path) in str(info.value)


def test_wrong_type_is_named(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "batch_size: many\n"))
    msg = str(info.value)
    assert "batch_size" in msg
    assert "many" in msg


def test_out_of_range_value_is_named(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "reconcile:\n  tolerance: 3\n"))
    assert "reconcile.tolerance" in str(info.value)


def test_nested_wrong_key_is_named(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "reconcile:\n  tolerence: 0.01\n"))
    msg = str(info.value)
    assert "tolerence" in msg
    assert "reconcile" in msg


def test_nested_wrong_key_under_data_is_named(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "data:\n  gazeteer: mine.jsonl\n"))
    assert "data.gazeteer" in str(info.value)


def test_missing_file_names_the_path(tmp_path):
    missing = tmp_path / "nope" / "config.yaml"
    with pytest.raises(ConfigError) as info:
        load_config(missing)
    assert str(missing) in str(info.value)


def test_invalid_yaml_is_a_config_error(tmp_path):
    path = write(tmp_path, "batch_size: [1, 2\n")
    with pytest.raises(ConfigError) as info:
        load_config(path)
    assert str(path) in str(info.value)


def test_top_level_must_be_a_mapping(tmp_path):
    with pytest.raises(ConfigError) as info:
        load_config(write(tmp_path, "- batch_size\n- 4\n"))
    assert "mapping" in str(info.value)


def test_fingerprint_follows_extraction_settings_only(tmp_path):
    base = load_config(write(tmp_path, "batch_size: 4\n"))
    other_batch = load_config(write(tmp_path, "batch_size: 8\n"))
    other_model = load_config(write(tmp_path, "model: en_core_web_sm\n"))
    assert base.fingerprint() == other_batch.fingerprint()
    assert base.fingerprint() != other_model.fingerprint()


def test_a_binary_file_is_a_config_error(tmp_path):
    path = tmp_path / "config.yaml"
    path.write_bytes(b"\x7fELF\x02\x01\x01\x00\x00\x00\x00\x00\xf0\x9f\x00\xff" * 8)
    with pytest.raises(ConfigError, match="not a text file"):
        load_config(path)
    with pytest.raises(ConfigError, match="is a folder"):
        load_config(tmp_path)


@pytest.mark.parametrize(("name", "content", "reason"), [
    ("absent.yaml", None, "file not found"),
    ("broken.json", b'{"patterns": [1, 2\n', "not valid JSON"),
    ("broken.yaml", b"rules: [a, b\n", "not valid YAML"),
    ("broken.jsonl", b'{"name": "Acme"}\n{"name": \n', "line 2 is not JSON"),
    ("binary.json", b"\x89PNG\r\n\x1a\n\x00\xff\xfe", "not a text file"),
])
def test_a_data_file_that_cannot_be_read_is_named_with_its_key(tmp_path, name, content, reason):
    if content is not None:
        (tmp_path / name).write_bytes(content)
    key = "user_gazetteer" if name.endswith(".jsonl") else "data.chrome"
    text = f"user_gazetteer: {name}\n" if key == "user_gazetteer" else f"data:\n  chrome: {name}\n"
    with pytest.raises(ConfigError) as err:
        load_config(write(tmp_path, text))
    assert key in str(err.value) and name in str(err.value) and reason in str(err.value)

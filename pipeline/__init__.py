"""claims: turn drops of news and analysis articles into an audited fact store."""

from .api import Pipeline, RunSummary
from .config import Config, ConfigError, load_config

__all__ = ["Config", "ConfigError", "Pipeline", "RunSummary", "load_config"]
__version__ = "0.1.0"

"""`python -m streamlit_app [--variant NAME]`: exec `streamlit run` configured from the SERVEBENCH_* settings."""

# file concern: server_config

from __future__ import annotations

import argparse
import os
import sys

from shared_model import SettingsError, load_settings
from streamlit_app.server import SHIPPED, VARIANTS, streamlit_command


def main(argv: list[str] | None = None) -> None:
    """Parse the variant, read the settings (failing loudly by name), and replace this process by Streamlit."""
    parser = argparse.ArgumentParser(prog="python -m streamlit_app", description=__doc__)
    parser.add_argument(
        "--variant", choices=VARIANTS, default=SHIPPED, help="server configuration (default: %(default)s)"
    )
    args = parser.parse_args(argv)
    try:
        settings = load_settings()
    except SettingsError as error:
        sys.exit(f"error: {error}")
    command = streamlit_command(settings, args.variant)
    os.execv(command[0], command)


if __name__ == "__main__":
    main()

"""`python -m aml_cli` is the `aml` command."""

from aml_cli.cli.main import main

if __name__ == "__main__":
    main()

"""The front door: python build.py [check|build|serve|...]. See `python build.py --help`."""

from brief.cli import main
from brief.pipeline import ending_after_one_command

if __name__ == "__main__":
    ending_after_one_command()
    main()

"""The front door: python build.py [check|build|serve|...]. See `python build.py --help`."""

from brief.cli import main

if __name__ == "__main__":
    main()

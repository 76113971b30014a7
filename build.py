"""The front door: python build.py [check|build|serve|...]. See `python build.py --help`."""

import sys

try:
    from brief.cli import main
except KeyboardInterrupt:  # Ctrl+C while the modules load (most of a second), before Click can handle it
    sys.exit(130)

if __name__ == "__main__":
    main()

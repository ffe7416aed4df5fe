"""The bundled program's entry script: PyInstaller freezes this, not the console script."""

import sys

from practice_rx.cli import main

if __name__ == "__main__":
    sys.exit(main())

"""`python -m etcdfit.servers list|build|install|path` (the same as `etcdfit server ...`)."""

import sys

from .catalog import main

sys.exit(main())

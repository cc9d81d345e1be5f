"""`python -m tracker.demo`."""

import sys

from tracker.demo.run import main

sys.exit(main())

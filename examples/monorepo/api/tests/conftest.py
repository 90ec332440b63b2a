import sys
from pathlib import Path

# The tests import `app` from api/, wherever pytest is started.
sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

"""Developer tools: the simulator, checks, evaluations, model generation and packaging.

Nothing in the runtime (what the Lambda zip and the endpoint run) imports from here.
"""

from pathlib import Path

# The repository, which holds content/, eval/ and interaction_model/.
PROJECT_DIR = Path(__file__).resolve().parents[2]
RUNTIME_DIR = PROJECT_DIR / "skill"

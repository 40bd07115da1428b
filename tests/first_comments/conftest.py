# The web app's fixtures (editor, mastodon, bluesky, team_workspace) for the composer tests here.
from tests.webapp.conftest import *  # noqa: F401,F403

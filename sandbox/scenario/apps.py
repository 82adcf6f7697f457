"""The scenario API for Apps: the App's OAuth credentials and sign-ins, token expiry, and
check runs made by other Apps."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import parse_qsl, urlsplit

from sandbox.github import GitHub, RepoRef
from sandbox.routes import oauth
from sandbox.sim_state import CheckRun


class AppScenes(GitHub):
    """What Apps and their users do, as a test sets the scene."""

    @property
    def client_id(self) -> str:
        """The simulated App's OAuth client id (``GITHUB_CLIENT_ID``)."""
        return self.oauth_client().client_id

    @property
    def client_secret(self) -> str:
        """The simulated App's OAuth client secret (``GITHUB_CLIENT_SECRET``)."""
        return self.oauth_client().client_secret

    def authorize(
        self,
        login: str,
        client_id: str | None = None,
        redirect_uri: str | None = None,
        state: str | None = None,
    ) -> str:
        """``login`` signs in and authorizes the App (the page's form, without a browser);
        returns the one-time code. Raises ``AuthorizeRefused`` where GitHub shows an
        error page instead of redirecting."""
        location = oauth.authorize(self, login, client_id or self.client_id, redirect_uri, state)
        return dict(parse_qsl(urlsplit(location).query))["code"]

    def expire_user_tokens(self) -> None:
        """Make every issued user access token expired."""
        expired = self.clock.now() - timedelta(seconds=1)
        for token in self.user_tokens.values():
            token.expires = expired

    def expire_tokens(self) -> None:
        """Make every issued installation token expired (to test token refresh)."""
        expired = self.clock.now() - timedelta(seconds=1)
        self.tokens = {t: (i, expired) for t, (i, _) in self.tokens.items()}

    def suspend_installation(self, installation: int | RepoRef) -> None:
        """The account suspends the App's installation: its tokens stop working and no new
        one is issued (403 ``This installation has been suspended``) until it is unsuspended.
        ``installation``: its id, or a repository it holds."""
        installation_id = self._installation_of(installation)
        self.suspended[installation_id] = self.clock.now()
        self.tokens = {t: v for t, v in self.tokens.items() if v[0] != installation_id}

    def unsuspend_installation(self, installation: int | RepoRef) -> None:
        self.suspended.pop(self._installation_of(installation), None)

    def _installation_of(self, installation: int | RepoRef) -> int:
        if isinstance(installation, int):
            if installation not in self.installations:
                raise KeyError(f"no installation {installation} in the simulator")
            return installation
        installation_id = self._repo(installation).installation_id
        if installation_id is None:
            raise KeyError(f"the App is not installed on {installation}")
        return installation_id

    def add_check_run(
        self,
        repo: RepoRef,
        head_sha: str,
        name: str,
        *,
        app_id: int,
        status: str = "completed",
        conclusion: str | None = "success",
        external_id: str | None = None,
    ) -> int:
        """A check run made by another App (see :meth:`register_app`); returns its id."""
        target = self._repo(repo)
        if app_id not in self.apps:
            raise ValueError(f"no App {app_id}: register it first")
        sha = target.resolve(head_sha)
        suite = target.check_suites.setdefault(sha, self.next_id())
        moment = self.clock.now()
        done = status == "completed"
        run = CheckRun(
            self.next_id(),
            name,
            sha,
            status,
            conclusion if done else None,
            moment,
            moment if done else None,
            {},
            external_id,
            None,
            suite,
            app_id,
        )
        target.check_runs[run.id] = run
        return run.id

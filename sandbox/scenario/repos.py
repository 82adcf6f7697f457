"""The scenario API for repositories: create them, commit, branch, open, merge and close pull
requests (forks included), protect branches."""

from __future__ import annotations

from collections.abc import Mapping

from sandbox.github import GitHub, RepoRef
from sandbox.routes.pulls import pull_commits
from sandbox.sim_state import ObjectStore, PullRequest, Repo


class RepoScenes(GitHub):
    """What happens to repositories on github.com, as a test sets the scene."""

    def create_repo(
        self,
        full_name: str,
        files: dict[str, str] | None = None,
        *,
        default_branch: str = "main",
        owner_type: str = "Organization",
        private: bool = False,
        installed: bool = True,
    ) -> Repo:
        """A repository covered by the App. ``private``: a user with no explicit
        permission has none (on a public one, everyone may read). ``installed=False``: the
        App's installation does not cover it (installed on selected repositories, or not on
        this account at all); a private one is then a 404 to its tokens."""
        owner, name = full_name.split("/")
        if full_name.lower() in self.repos:
            raise ValueError(f"repository {full_name} already exists")
        repo = Repo(
            self.next_id(),
            owner,
            name,
            owner_type,
            default_branch,
            self._installation_for(owner) if installed else None,
            ObjectStore(clock=self.clock),
            private=private,
            web_url=self.web_url,
        )
        repo.commit(default_branch, dict(files or {}), "Initial commit", owner)
        self.repos[full_name.lower()] = repo
        return repo

    def commit(
        self,
        repo: RepoRef,
        branch: str,
        files: Mapping[str, str | None],
        message: str = "Update files",
        author: str = "alice",
    ) -> str:
        return self._repo(repo).commit(branch, dict(files), message, author)

    def open_pull_request(
        self,
        repo: RepoRef,
        head: str,
        files: Mapping[str, str | None] | None = None,
        author: str = "alice",
        title: str = "Add an RFC",
        base: str | None = None,
        body: str = "",
        draft: bool = False,
        *,
        fork: bool = False,
        maintainer_can_modify: bool = False,
    ) -> PullRequest:
        """Open a pull request from ``head`` (committing ``files`` there first) into
        ``base`` (default: the default branch). Any branch may be the head, the default
        branch included (``head="main", base="old"``), as on GitHub. ``fork``: the head
        lives in the author's fork, see :meth:`make_fork_pr`."""
        target = self._repo(repo)
        base = base or target.default_branch
        if files:
            target.commit(head, files, title, author)
        if head not in target.branches:
            raise ValueError(f"branch {head} does not exist and no files were given")
        if head == base:
            raise ValueError(f"head and base are both {base}: no commits between them")
        moment = self.clock.now()
        pr = PullRequest(
            target.take_number(),
            self.next_id(),
            title,
            body,
            author,
            base,
            head,
            target,
            target.branches[head],
            moment,
            moment,
            draft=draft,
            maintainer_can_modify=False,
        )
        target.pulls[pr.number] = pr
        if fork:
            self.make_fork_pr(target, pr.number, maintainer_can_modify=maintainer_can_modify)
        return pr

    def create_branch(self, repo: RepoRef, name: str, from_ref: str | None = None) -> str:
        """A new branch at ``from_ref`` (a branch or sha; default: the default branch)."""
        target = self._repo(repo)
        if name in target.branches:
            raise ValueError(f"branch {name} already exists")
        sha = target.resolve(from_ref or target.default_branch)
        target.branches[name] = sha
        return sha

    def make_fork_pr(
        self, repo: RepoRef, number: int, *, maintainer_can_modify: bool = False
    ) -> Repo:
        """Move the PR's head into a fork owned by its author (not covered by the App)."""
        target = self._repo(repo)
        pr = self._pull(target, number)
        fork_name = f"{pr.user}/{target.name}"
        fork = self.repos.get(fork_name.lower())
        if fork is None:
            fork = Repo(
                self.next_id(),
                pr.user,
                target.name,
                "User",
                target.default_branch,
                None,
                target.objects,
                fork_of=target,
                web_url=target.web_url,
            )
            fork.branches[target.default_branch] = target.branches[target.default_branch]
            self.repos[fork_name.lower()] = fork
        fork.branches[pr.head_ref] = pr.current_head()
        target.branches.pop(pr.head_ref, None)
        pr.head_repo, pr.maintainer_can_modify = fork, maintainer_can_modify
        return fork

    def merge_pull_request(self, repo: RepoRef, number: int, *, merged_by: str = "mona") -> str:
        """Squash the PR's changes onto its base as one commit; the PR becomes merged. Its
        message is GitHub's default: the title with the number, then each squashed commit's
        message as a list item."""
        target = self._repo(repo)
        pr = self._pull(target, number)
        if pr.state != "open":
            raise ValueError(f"pull request #{number} is not open")
        changes = self.pull_changes(target, pr)
        head_files = target.objects.files_at(pr.current_head())
        pr.merge_base_sha = self.merge_base(target, pr)
        edits: dict[str, str | bytes | None] = {}
        for change in changes:
            if change.previous_filename:
                edits[change.previous_filename] = None
            edits[change.filename] = (
                None
                if change.status == "removed"
                else target.objects.blobs[head_files[change.filename]]
            )
        message = f"{pr.title} (#{pr.number})\n\n" + "\n\n".join(
            f"* {commit.message.strip()}" for commit in pull_commits(self, target, pr)
        )
        sha = target.commit(pr.base_ref, edits, message, merged_by)
        moment = self.clock.now()
        pr.state, pr.merged, pr.merged_at, pr.closed_at = "closed", True, moment, moment
        pr.merged_by, pr.merge_commit_sha = merged_by, sha
        pr.touch(moment)
        return sha

    def close_pull_request(self, repo: RepoRef, number: int) -> None:
        pr = self._pull(self._repo(repo), number)
        pr.current_head()
        pr.state, pr.closed_at = "closed", self.clock.now()
        pr.touch(pr.closed_at)

    def protect_branch(self, repo: RepoRef, branch: str) -> None:
        self._repo(repo).protected.add(branch)

    def link_here(self) -> None:
        """Repositories created from now on have this simulator's address as their web
        address: their ``html_url`` links open its own pull request and check run pages
        (sandbox/routes/web_pages.py) instead of github.com. The demos call it once started."""
        if not self.base_url:
            raise RuntimeError("link_here needs the simulator's address: await sim.start() first")
        self.web_url = self.base_url

    def _installation_for(self, owner: str) -> int:
        for installation_id, account in self.installations.items():
            if account.lower() == owner.lower():
                return installation_id
        installation_id = self.next_id()
        self.installations[installation_id] = owner
        self.installed_at[installation_id] = self.clock.now()
        return installation_id

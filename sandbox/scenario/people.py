"""The scenario API for people: permissions, team memberships, and what people write on
github.com (comments, reactions, reviews)."""

from __future__ import annotations

from typing import Any

from sandbox import sim_render
from sandbox.github import GitHub, RepoRef
from sandbox.sim_state import DEFAULT_LABEL_COLOR, Issue, Reaction, Review, TeamMembership

PERMISSION_NAMES = ("read", "triage", "write", "maintain", "admin")
REVIEW_STATES = ("APPROVED", "CHANGES_REQUESTED", "COMMENTED")
TEAM_ROLES = ("member", "maintainer")
TEAM_STATES = ("active", "pending")


class PeopleScenes(GitHub):
    """What people do on github.com, as a test sets the scene."""

    def set_permission(self, repo: RepoRef, user: str, permission: str) -> None:
        if permission not in PERMISSION_NAMES:
            raise ValueError(f"permission must be one of {PERMISSION_NAMES}")
        self._repo(repo).permissions[user.lower()] = permission
        self.logins.setdefault(user.lower(), user)

    def remove_permission(self, repo: RepoRef, user: str) -> None:
        """``user`` is no longer a collaborator (as if removed on github.com)."""
        self._repo(repo).permissions.pop(user.lower(), None)

    def add_team_member(
        self,
        org: str,
        team_slug: str,
        user: str,
        *,
        role: str = "member",
        state: str = "active",
    ) -> None:
        """``user`` joins the team (``state="pending"``: invited, not yet accepted); a second
        call for the same user replaces the role and state. An unknown team is created."""
        if role not in TEAM_ROLES:
            raise ValueError(f"team role must be one of {TEAM_ROLES}")
        if state not in TEAM_STATES:
            raise ValueError(f"membership state must be one of {TEAM_STATES}")
        self.logins.setdefault(user.lower(), user)
        members = self.teams.setdefault((org.lower(), team_slug.lower()), {})
        members[user.lower()] = TeamMembership(self.login_of(user), role, state)

    def remove_team_member(self, org: str, team_slug: str, user: str) -> None:
        self.teams.get((org.lower(), team_slug.lower()), {}).pop(user.lower(), None)

    def add_comment(
        self, repo: RepoRef, number: int, user: str, body: str, user_type: str = "User"
    ) -> dict[str, Any]:
        """A comment by a person (as if posted on github.com, so not through an App:
        ``performed_via_github_app`` is null); returns its GitHub JSON."""
        target = self._repo(repo)
        self._pull(target, number)
        comment = self.add_comment_object(target, number, user, body, user_type)
        return self.comment_json(target, comment)

    def edit_comment(self, repo: RepoRef, comment_id: int, body: str) -> dict[str, Any]:
        target = self._repo(repo)
        comment = target.comments[comment_id]
        comment.body, comment.updated_at = body, self.clock.now()
        return self.comment_json(target, comment)

    def delete_comment(self, repo: RepoRef, comment_id: int) -> None:
        """Someone with write access (or the comment's author) deletes a comment on
        github.com, the App's included: it is gone from every listing, with its reactions."""
        del self._repo(repo).comments[comment_id]

    def label_pull(self, repo: RepoRef, number: int, name: str) -> None:
        """A person (with triage access) puts a label on a pull request on github.com; a
        label the repository lacks is created with the default colour."""
        target = self._repo(repo)
        pr = self._pull(target, number)
        label = target.label(name) or self.add_label(target, name, DEFAULT_LABEL_COLOR, None)
        if label.name.lower() not in (existing.lower() for existing in pr.labels):
            pr.labels.append(label.name)
            pr.touch(self.clock.now())

    def open_issue(
        self, repo: RepoRef, user: str, title: str, body: str = "", labels: tuple[str, ...] = ()
    ) -> int:
        """A person opens an issue on github.com (``performed_via_github_app`` null), with
        labels (created when missing); returns its number."""
        target = self._repo(repo)
        moment = self.clock.now()
        issue = Issue(target.take_number(), self.next_id(), title, body, user, "User", moment,
                      moment, labels=[])  # fmt: skip
        for name in labels:
            label = target.label(name) or self.add_label(target, name, DEFAULT_LABEL_COLOR, None)
            issue.labels.append(label.name)
        target.issues[issue.number] = issue
        return issue.number

    def edit_pull_body(self, repo: RepoRef, number: int, body: str) -> None:
        """The author edits the pull request's description on github.com."""
        pr = self._pull(self._repo(repo), number)
        pr.body = body
        pr.touch(self.clock.now())

    def add_reaction(
        self, repo: RepoRef, comment_id: int, user: str, content: str, user_type: str = "User"
    ) -> int:
        """A person (or, with ``user_type="Bot"``, another App's bot user ``<slug>[bot]``)
        reacts to a comment; returns the reaction id."""
        if content not in sim_render.REACTION_CONTENTS:
            raise ValueError(f"reaction must be one of {sim_render.REACTION_CONTENTS}")
        comment = self._repo(repo).comments[comment_id]
        reaction = Reaction(self.next_id(), user, user_type, content, self.clock.now())
        comment.reactions.append(reaction)
        return reaction.id

    def submit_review(
        self, repo: RepoRef, number: int, user: str, state: str, body: str = ""
    ) -> Review:
        """A person submits a review on the PR's current head: APPROVED,
        CHANGES_REQUESTED or COMMENTED (GitHub requires a body for the last two)."""
        target = self._repo(repo)
        pr = self._pull(target, number)
        if state not in REVIEW_STATES:
            raise ValueError(f"review state must be one of {REVIEW_STATES}")
        if state != "APPROVED" and not body:
            raise ValueError(f"a {state} review needs a body")
        if user.lower() == pr.user.lower() and state != "COMMENTED":
            raise ValueError("GitHub does not let authors approve or block their own PR")
        moment = self.clock.now()
        review = Review(self.next_id(), number, user, state, body, pr.current_head(), moment)
        target.reviews[review.id] = review
        pr.touch(moment)
        return review

    def dismiss_review(
        self, repo: RepoRef, review_id: int, message: str, *, by: str = "mona"
    ) -> Review:
        """``by`` (someone with write access, on github.com) dismisses an APPROVED or
        CHANGES_REQUESTED review: its state becomes DISMISSED. GitHub refuses to dismiss a
        comment review, and a dismissal needs a message."""
        target = self._repo(repo)
        review = target.reviews[review_id]
        if review.state not in ("APPROVED", "CHANGES_REQUESTED"):
            raise ValueError(f"GitHub cannot dismiss a {review.state} review")
        if not message:
            raise ValueError("a dismissal needs a message")
        review.state, review.dismissed_by, review.dismissal_message = "DISMISSED", by, message
        self._pull(target, review.pull_number).touch(self.clock.now())
        return review

"""The App's replicas sharing the sweep: which of them are alive, asked at each sweep's start.

With ``REPLICAS`` > 1 and ``REPLICA_PEER_URL`` set, ``Peers.share`` asks every other replica's
``/healthz`` at once (a short timeout, nothing asked of GitHub) and returns this replica's
``Share``: the reconciler sweeps the repositories that rendezvous hashing gives it among the
replicas that answered (``bot.policy.replicas``). A replica that stops answering loses its
repositories to the others at their next sweep; one that answers again takes them back.
Without a peer URL every replica is taken to be alive (a static partition: a dead replica's
repositories wait for it to come back).
"""

from __future__ import annotations

import asyncio
import logging

import aiohttp

from bot.policy.replicas import ALONE, Share
from bot.serve.settings import Settings

log = logging.getLogger(__name__)

# A peer's /healthz answers at once unless its process is gone or wedged; all are asked
# together, so a sweep waits this long at most.
PROBE_TIMEOUT_SECONDS = 2.0


class Peers:
    """This replica's view of the others."""

    def __init__(
        self,
        total: int,
        index: int,
        url_template: str = "",
        *,
        timeout: float = PROBE_TIMEOUT_SECONDS,
    ) -> None:
        self.total = total
        self.index = index
        self.url_template = url_template
        self.timeout = timeout
        self._silent: frozenset[int] = frozenset()  # peers that did not answer last time

    @classmethod
    def from_settings(cls, settings: Settings) -> Peers:
        return cls(settings.replicas, settings.replica_index, settings.replica_peer_url)

    def url(self, index: int) -> str:
        """Replica ``index``'s health URL (``{index}`` replaced, nothing else interpreted)."""
        return self.url_template.replace("{index}", str(index))

    async def share(self) -> Share:
        """This replica's share of the sweep about to start."""
        if self.total == 1:
            return ALONE
        everyone = frozenset(range(self.total))
        if not self.url_template:
            return Share(self.index, everyone, self.total)
        others = sorted(everyone - {self.index})
        timeout = aiohttp.ClientTimeout(total=self.timeout)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            answers = await asyncio.gather(*(self._probe(session, i) for i in others))
        silent = frozenset(i for i, reason in zip(others, answers, strict=True) if reason)
        self._tell_changes(silent, dict(zip(others, answers, strict=True)))
        return Share(self.index, everyone - silent, self.total)

    async def _probe(self, session: aiohttp.ClientSession, index: int) -> str:
        """ "" when replica ``index`` is alive, else why it is taken not to be."""
        try:
            async with session.get(self.url(index), allow_redirects=False) as response:
                return "" if response.status == 200 else f"answered {response.status}"
        except TimeoutError:
            return f"no answer within {self.timeout:g} s"
        except (aiohttp.ClientError, OSError) as error:
            return " ".join(str(error).split()) or type(error).__name__

    def _tell_changes(self, silent: frozenset[int], reasons: dict[int, str]) -> None:
        """One line when a peer goes silent or answers again, not one per sweep."""
        for index in sorted(silent - self._silent):
            log.warning(
                "replica %d did not answer at %s (%s): the live replicas sweep its repositories",
                index,
                self.url(index),
                reasons[index],
            )
        for index in sorted(self._silent - silent):
            log.info("replica %d answers again: it sweeps its repositories", index)
        self._silent = silent

"""Which handlers to ask about a request: those whose `takes` names what it is.

ask-sdk's GenericRequestMapper asks every handler in order until one's can_handle says yes: a
question went through 26 of them. Each of our handlers names what its can_handle can say yes
to (`SkillHandler.takes`: intent names and request types), so the mapper here asks only those,
in the same order, and chooses as GenericRequestMapper would. `skill check` runs it audited:
every request it probes is also mapped the SDK's way, and a difference is an error.
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Sequence
from typing import Any

from ask_sdk_core.handler_input import HandlerInput
from ask_sdk_model import IntentRequest
from ask_sdk_runtime.dispatch_components.request_components import (
    GenericRequestHandlerChain,
    GenericRequestMapper,
)

# In a handler's `takes`: every intent request, whatever its intent.
ANY_INTENT = "IntentRequest"

Takes = Collection[str] | None  # None: any request at all
Chains = tuple[GenericRequestHandlerChain, ...]


def route_of(request: Any) -> str:
    """What `takes` names a request by: an intent request by its intent's name, any other
    request (an intent request without an intent too) by its type."""
    intent = request.intent if isinstance(request, IntentRequest) else None
    name = intent.name if intent is not None else None
    return str(name or getattr(request, "object_type", None) or "")


def is_taken(takes: Takes, handler_input: HandlerInput) -> bool:
    """Whether a request is one that `takes` names, by route_of (or ANY_INTENT, for every
    intent request)."""
    if takes is None:
        return True
    request = handler_input.request_envelope.request
    if isinstance(request, IntentRequest) and ANY_INTENT in takes:
        return True
    return route_of(request) in takes


class RoutingError(AssertionError):
    """The routed choice differed from the SDK's (audited mapping only): a handler's `takes`
    leaves out a request its can_handle says yes to."""


class RoutedRequestMapper(GenericRequestMapper):
    """GenericRequestMapper's choice, asking only the handlers whose `takes` could say yes."""

    def __init__(self, chains: Sequence[GenericRequestHandlerChain], *, audit: bool = False):
        super().__init__(request_handler_chains=list(chains))
        self.audit = audit
        every: Chains = tuple(self.request_handler_chains)
        named = {name for chain in every for name in _takes(chain) or ()}
        # By intent name and by request type, every name some handler takes; a name no
        # handler takes is met only by handlers that take any intent, or any request.
        self._intents = {name: _asked(every, {name, ANY_INTENT}) for name in named}
        self._any_intent = _asked(every, {ANY_INTENT})
        self._types = {name: _asked(every, {name}) for name in named}
        self._any_request = _asked(every, set())

    def get_request_handler_chain(self, handler_input: Any) -> GenericRequestHandlerChain | None:
        request = handler_input.request_envelope.request
        if isinstance(request, IntentRequest):
            asked = self._intents.get(route_of(request), self._any_intent)
        else:
            asked = self._types.get(route_of(request), self._any_request)
        chosen = next((c for c in asked if c.request_handler.can_handle(handler_input)), None)
        if self.audit:
            expected = super().get_request_handler_chain(handler_input)
            if expected is not chosen:
                raise RoutingError(
                    f"{_name(expected)} takes the request, but its `takes` leaves it out"
                    f" (routed to {_name(chosen)})"
                )
        return chosen


def _takes(chain: GenericRequestHandlerChain) -> Takes:
    takes = getattr(chain.request_handler, "takes", None)
    return None if takes is None else frozenset(takes)


def _asked(chains: Iterable[GenericRequestHandlerChain], names: set[str]) -> Chains:
    """The chains, in order, whose handlers take any request or one of `names`."""
    return tuple(c for c in chains if (takes := _takes(c)) is None or not names.isdisjoint(takes))


def _name(chain: GenericRequestHandlerChain | None) -> str:
    return "no handler" if chain is None else type(chain.request_handler).__name__

"""Drive a running endpoint: the simulator's transport over HTTP.

    python -m skill serve --dev &          # an endpoint without signature checks
    Conversation(HttpTransport("http://127.0.0.1:8000/alexa"), Simulator())

Requests are plain JSON POSTs, as Alexa sends them but unsigned, so the endpoint must run with
signature checks off unless `sign` adds the signature headers (tests do, with a test PKI).
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Callable, Mapping
from typing import Any

DEFAULT_TIMEOUT_SECONDS = 10.0

Signer = Callable[[bytes], Mapping[str, str]]  # body -> extra headers


class EndpointError(RuntimeError):
    """The endpoint could not be reached or refused the request."""

    def __init__(self, message: str, status: int | None = None) -> None:
        super().__init__(message)
        self.status = status


class HttpTransport:
    """POSTs each request envelope to `url` and returns the response envelope."""

    def __init__(
        self, url: str, *, timeout: float = DEFAULT_TIMEOUT_SECONDS, sign: Signer | None = None
    ) -> None:
        if not url.startswith(("http://", "https://")):
            raise ValueError(f"endpoint URL must be http:// or https://, not {url!r}")
        self.url = url
        self.timeout = timeout
        self.sign = sign

    @staticmethod
    def encode(envelope: dict[str, Any]) -> bytes:
        """The body posted for an envelope: UTF-8 JSON, as Alexa sends it."""
        return json.dumps(envelope, ensure_ascii=False).encode("utf-8")

    def __call__(self, envelope: dict[str, Any]) -> dict[str, Any]:
        body = self.encode(envelope)
        headers = {"Content-Type": "application/json; charset=utf-8"}
        if self.sign is not None:
            headers.update(self.sign(body))
        request = urllib.request.Request(self.url, data=body, headers=headers, method="POST")
        try:
            with urllib.request.urlopen(request, timeout=self.timeout) as response:
                answer = json.loads(response.read())
        except urllib.error.HTTPError as error:
            error.close()  # the endpoint logs why; its body is deliberately generic
            raise EndpointError(f"{self.url} answered {error.code}", error.code) from None
        except (urllib.error.URLError, TimeoutError, ConnectionError) as error:
            reason = getattr(error, "reason", error)
            raise EndpointError(f"cannot reach {self.url}: {reason}") from None
        except ValueError:
            raise EndpointError(f"{self.url} did not answer JSON") from None
        if not isinstance(answer, dict):
            raise EndpointError(f"{self.url} did not answer a response envelope")
        return answer

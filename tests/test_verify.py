"""Alexa request verification, every check through the Flask app with a test PKI.

Each test posts a request as Alexa would (signed with the test PKI's leaf key, its chain served
by a fake fetcher) and changes one thing. A refused request answers 400 with a generic body and
logs the reason; nothing touches the network.
"""

from __future__ import annotations

import base64
import contextlib
import http.client
import http.server
import json
import random
import threading
import time
import urllib.error
import warnings
from collections.abc import Iterator
from datetime import datetime, timedelta
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import NameOID

from skill import intents
from skill.app import create_app
from skill.builder import create_skill
from skill.config import Config
from skill.progress_store import MemoryPersistenceAdapter
from skill.tools.simulator import SIMULATED_SKILL_ID, SIMULATED_USER_ID, Simulator
from skill.verify import (
    FAILURE_SECONDS,
    MAX_NESTING,
    ChainCache,
    Rejected,
    UrlFetcher,
    Verifier,
    check_signature,
    default_roots,
    normalise_cert_url,
    parse_chain,
    parse_envelope,
    remove_dot_segments,
)
from tests.pki import CERT_URL, EPOCH, Clock, FakeFetcher, Pki, issue, shared_pki, signed_headers

SKILL_ID = SIMULATED_SKILL_ID
GENERIC = {"error": "bad request"}


@pytest.fixture(scope="session")
def pki() -> Pki:
    return shared_pki()


@pytest.fixture(scope="module")
def served_skill():
    config = Config(skill_id=SKILL_ID, progress_store="memory://")
    return create_skill(config, progress_store=MemoryPersistenceAdapter(), rng=random.Random(7))


class Endpoint:
    """The app under test, its clock and fetcher, and requests signed as Alexa signs them."""

    def __init__(self, pki: Pki, skill: Any, fetcher: Any = None) -> None:
        self.pki = pki
        self.clock = Clock()
        self.fetcher = fetcher or FakeFetcher({CERT_URL: pki.chain()})
        self.verifier = Verifier(
            skill_id=SKILL_ID, roots=[pki.root], clock=self.clock, fetcher=self.fetcher
        )
        config = Config(skill_id=SKILL_ID, progress_store="memory://")
        self.client = create_app(config, skill=skill, verifier=self.verifier).test_client()
        self.simulator = Simulator("en-GB", clock=self.clock)

    def envelope(self, utterance: str = "quiz me") -> dict[str, Any]:
        return self.simulator.envelope(self.simulator.resolve(utterance))

    def body(self, envelope: dict[str, Any] | None = None) -> bytes:
        return json.dumps(envelope or self.envelope(), ensure_ascii=False).encode("utf-8")

    def post(
        self,
        body: bytes | None = None,
        *,
        key: Any = None,
        url: str = CERT_URL,
        headers: dict[str, str] | None = None,
        drop: tuple[str, ...] = (),
        signed_body: bytes | None = None,
    ):
        """POST /alexa; `signed_body` signs other bytes than those sent."""
        body = self.body() if body is None else body
        sent = signed_headers(
            body if signed_body is None else signed_body, key or self.pki.leaf_key, url
        )
        sent.update(headers or {})
        for name in drop:
            sent.pop(name)
        return self.client.post("/alexa", data=body, headers=sent)


@pytest.fixture
def endpoint(pki, served_skill) -> Endpoint:
    return Endpoint(pki, served_skill)


def refused(response, caplog, reason: str) -> None:
    """400, the generic body, and one log line naming the reason (and nothing of the body)."""
    assert response.status_code == 400
    assert response.get_json() == GENERIC
    lines = [r.getMessage() for r in caplog.records if r.name == "skill.app" and r.levelno > 20]
    assert any(reason in line for line in lines), lines
    assert all(line.startswith("rejected request: ") for line in lines), lines


def accepted(response) -> dict[str, Any]:
    assert response.status_code == 200, response.get_data(as_text=True)
    document = response.get_json()
    assert document["response"]["outputSpeech"]["ssml"]
    return document


# --- the real shape ------------------------------------------------------------------------------


def test_an_amazon_shaped_chain_verifies(endpoint, pki):
    leaf, intermediate = pki.leaf, pki.intermediate
    # As Amazon's: SKI/AKI linking the chain, critical BasicConstraints and KeyUsage, the SAN.
    assert leaf.extensions.get_extension_for_class(x509.BasicConstraints).critical
    assert intermediate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca
    assert intermediate.extensions.get_extension_for_class(x509.KeyUsage).value.key_cert_sign
    assert (
        leaf.extensions.get_extension_for_class(x509.AuthorityKeyIdentifier).value.key_identifier
        == intermediate.extensions.get_extension_for_class(x509.SubjectKeyIdentifier).value.digest
    )
    san = leaf.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert san.get_values_for_type(x509.DNSName) == ["echo-api.amazon.com"]
    document = accepted(endpoint.post())
    assert "quiz" in document["response"]["outputSpeech"]["ssml"]
    assert endpoint.fetcher.calls == [CERT_URL]


def test_the_default_roots_load_one_at_a_time_even_under_warnings_as_errors():
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        roots = default_roots()
    names = [r.subject.rfc4514_string() for r in roots]
    assert len(roots) > 100
    assert any("Amazon Root CA 1" in n for n in names)
    # One of the roots whose negative serial number makes cryptography warn: loaded all the same.
    assert any("Starfield Services Root Certificate Authority - G2" in n for n in names)


def test_verification_is_on_by_default():
    assert Config().verify_signatures
    assert Verifier(skill_id=None).check_signatures


# --- 1. headers and the signature's encoding -----------------------------------------------------


@pytest.mark.parametrize(
    ("drop", "reason"),
    [
        (("SignatureCertChainUrl",), "SignatureCertChainUrl header is missing"),
        (("Signature-256",), "Signature-256 header is missing"),
        (("SignatureCertChainUrl", "Signature-256"), "header is missing"),
    ],
)
def test_missing_headers_are_refused(endpoint, caplog, drop, reason):
    refused(endpoint.post(drop=drop), caplog, reason)


def test_the_legacy_sha1_signature_alone_is_refused(endpoint, pki, caplog):
    body = endpoint.body()
    sha1 = pki.leaf_key.sign(body, padding.PKCS1v15(), hashes.SHA1())
    legacy = {"Signature": base64.b64encode(sha1).decode()}
    refused(
        endpoint.post(body, headers=legacy, drop=("Signature-256",)),
        caplog,
        "Signature-256 header is missing",
    )


@pytest.mark.parametrize(
    "mangle",
    [
        lambda s: "not base64!",
        lambda s: s.rstrip("="),  # padding removed
        lambda s: s[:100] + " " + s[100:],  # a space inside
        lambda s: s + "A",  # a stray character
        lambda s: s[:-2] + "B=",  # non-canonical: the last character has unused bits set
        lambda s: "=" * 8,
    ],
    ids=["garbage", "unpadded", "space", "stray", "non-canonical", "padding-only"],
)
def test_a_signature_that_is_not_strict_base64_is_refused(endpoint, caplog, mangle):
    body = endpoint.body()
    signature = signed_headers(body, endpoint.pki.leaf_key)["Signature-256"]
    assert signature.endswith("=")  # 256 bytes encode with one "=" of padding
    response = endpoint.post(body, headers={"Signature-256": mangle(signature)})
    refused(response, caplog, "base64")


@pytest.mark.parametrize("case", [str.lower, str.upper])
def test_header_names_in_any_case_are_accepted(endpoint, case):
    body = endpoint.body()
    headers = {case(k): v for k, v in signed_headers(body, endpoint.pki.leaf_key).items()}
    response = endpoint.client.post("/alexa", data=body, headers=headers)
    accepted(response)


# --- 2. the certificate URL ----------------------------------------------------------------------

BAD_URLS = {
    "http": "http://s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "other-host": "https://notamazon.com/echo.api/echo-api-cert.pem",
    "suffixed-host": "https://s3.amazonaws.com.evil.com/echo.api/echo-api-cert.pem",
    "host-as-user": "https://s3.amazonaws.com@evil.com/echo.api/echo-api-cert.pem",
    "user-info": "https://user@s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "user-password": "https://user:secret@s3.amazonaws.com/echo.api/echo-api-cert.pem",
    "port-563": "https://s3.amazonaws.com:563/echo.api/echo-api-cert.pem",
    "port-text": "https://s3.amazonaws.com:https/echo.api/echo-api-cert.pem",
    "path-case": "https://s3.amazonaws.com/EcHo.aPi/echo-api-cert.pem",
    "other-path": "https://s3.amazonaws.com/invalid.path/echo-api-cert.pem",
    "dot-dot": "https://s3.amazonaws.com/echo.api/../evil/echo-api-cert.pem",
    "encoded-dot-dot": "https://s3.amazonaws.com/echo.api/%2e%2e/evil/echo-api-cert.pem",
    "encoded-upper": "https://s3.amazonaws.com/echo.api/%2E%2E/evil/echo-api-cert.pem",
    "encoded-slash": "https://s3.amazonaws.com/echo.api%2f..%2fevil/echo-api-cert.pem",
    "backslash": "https://s3.amazonaws.com/echo.api/..\\evil/echo-api-cert.pem",
    "query": "https://s3.amazonaws.com/echo.api/echo-api-cert.pem?x=1",
    "empty-query": "https://s3.amazonaws.com/echo.api/echo-api-cert.pem?",
    "fragment": "https://s3.amazonaws.com/echo.api/echo-api-cert.pem#x",
    "relative": "/echo.api/echo-api-cert.pem",
    "space": "https://s3.amazonaws.com/echo.api/echo api.pem",
    "trailing-dot-host": "https://s3.amazonaws.com./echo.api/echo-api-cert.pem",
    "no-path": "https://s3.amazonaws.com",
}


@pytest.mark.parametrize("url", BAD_URLS.values(), ids=BAD_URLS.keys())
def test_a_bad_certificate_url_is_refused_before_any_download(endpoint, caplog, url):
    refused(endpoint.post(url=url), caplog, "certificate URL")
    assert endpoint.fetcher.calls == []


GOOD_URLS = {
    "upper-host": "https://S3.AMAZONAWS.COM/echo.api/echo-api-cert-test.pem",
    "upper-scheme": "HTTPS://s3.amazonaws.com/echo.api/echo-api-cert-test.pem",
    "port-443": "https://s3.amazonaws.com:443/echo.api/echo-api-cert-test.pem",
    "dot-dot-back": "https://s3.amazonaws.com/echo.api/../echo.api/echo-api-cert-test.pem",
    "dot": "https://s3.amazonaws.com/echo.api/./echo-api-cert-test.pem",
}


@pytest.mark.parametrize("url", GOOD_URLS.values(), ids=GOOD_URLS.keys())
def test_a_good_url_is_fetched_in_normal_form_only(endpoint, url):
    accepted(endpoint.post(url=url))
    assert endpoint.fetcher.calls == [CERT_URL]


@pytest.mark.parametrize(
    ("path", "expected"),
    [
        ("/a/b/c/./../../g", "/a/g"),
        ("/echo.api/../echo.api/x", "/echo.api/x"),
        ("/a/b/..", "/a/"),
        ("/..", "/"),
        ("/../../echo.api/x", "/echo.api/x"),
        ("", "/"),
    ],
)
def test_dot_segments_are_removed_as_rfc_3986_says(path, expected):
    assert remove_dot_segments(path) == expected


def test_the_normal_form_drops_the_default_port_and_lowercases_the_host():
    assert normalise_cert_url("https://S3.AmazonAWS.com:443/echo.api/a.pem") == (
        "https://s3.amazonaws.com/echo.api/a.pem"
    )


# --- 3. the download -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "content",
    [
        b"garbage",
        b"<html><body><h1>Access Denied</h1></body></html>",
        b"",
        b"-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydA==\n-----END CERTIFICATE-----\n",
    ],
    ids=["garbage", "html", "empty", "bad-der"],
)
def test_a_download_that_is_not_a_chain_is_refused(pki, served_skill, caplog, content):
    endpoint = Endpoint(pki, served_skill, FakeFetcher({CERT_URL: content}))
    refused(endpoint.post(), caplog, "certificate chain")


class FakeResponse:
    def __init__(self, status: int, content: bytes) -> None:
        self.status, self.content = status, content

    def read(self, limit: int) -> bytes:
        return self.content[:limit]

    def __enter__(self) -> FakeResponse:
        return self

    def __exit__(self, *exc: object) -> None:
        return None


class FakeOpener:
    """urllib's opener, answering from a table: a response, or an exception to raise."""

    def __init__(self, answer: FakeResponse | Exception) -> None:
        self.answer = answer
        self.calls: list[tuple[str, float]] = []

    def open(self, url: str, *, timeout: float) -> FakeResponse:
        self.calls.append((url, timeout))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


@pytest.mark.parametrize(
    ("answer", "reason"),
    [
        (urllib.error.HTTPError(CERT_URL, 404, "Not Found", None, None), "answered 404"),  # type: ignore[arg-type]
        (urllib.error.HTTPError(CERT_URL, 302, "Found", None, None), "answered 302"),  # type: ignore[arg-type]
        (FakeResponse(203, b""), "answered 203"),
        (urllib.error.URLError("no route"), "download failed: URLError"),
        (TimeoutError(), "download failed: TimeoutError"),
        (FakeResponse(200, b"x" * (64 * 1024 + 1)), "too large"),
    ],
    ids=["404", "redirect", "203", "unreachable", "timeout", "too-large"],
)
def test_a_failed_download_is_refused(pki, served_skill, caplog, answer, reason):
    opener = FakeOpener(answer)
    endpoint = Endpoint(pki, served_skill, UrlFetcher(opener=opener))
    refused(endpoint.post(), caplog, reason)
    assert opener.calls == [(CERT_URL, 2.0)]  # the normalised URL, with the short timeout


def test_the_url_fetcher_reads_a_chain(pki, served_skill):
    opener = FakeOpener(FakeResponse(200, pki.chain()))
    accepted(Endpoint(pki, served_skill, UrlFetcher(opener=opener)).post())


class _Server(http.server.BaseHTTPRequestHandler):
    """A loopback server for the real urllib path: /chain, /redirect, /big, /slow, /missing."""

    hits: list[str] = []

    def do_GET(self) -> None:  # noqa: N802 - http.server's name
        self.hits.append(self.path)
        if self.path == "/redirect":
            self.send_response(302)
            self.send_header("Location", "/chain")
            self.end_headers()
            return
        if self.path == "/slow":
            time.sleep(1.0)
        status = 404 if self.path == "/missing" else 200
        content = b"x" * 100_000 if self.path == "/big" else b"chain"
        self.send_response(status)
        self.send_header("Content-Length", str(len(content)))
        self.end_headers()
        # The fetcher hangs up once it has read its cap, or timed out.
        with contextlib.suppress(BrokenPipeError, ConnectionResetError):
            self.wfile.write(content)

    def log_message(self, *args: object) -> None:
        return None


@pytest.fixture(scope="module")
def loopback() -> Iterator[str]:
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), _Server)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()
    server.server_close()


def test_the_real_fetcher_refuses_redirects_and_errors_over_loopback(loopback, monkeypatch):
    for name in ("http_proxy", "HTTP_PROXY", "all_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)  # loopback goes direct
    # The default opener, as in production, against a plain-HTTP loopback server.
    fetcher = UrlFetcher(timeout=0.5)
    assert fetcher(f"{loopback}/chain") == b"chain"
    _Server.hits.clear()
    for path, reason in [
        ("/redirect", "answered 302"),
        ("/missing", "answered 404"),
        ("/big", "too large"),
        ("/slow", "download failed"),
    ]:
        with pytest.raises(Rejected, match=reason):
            fetcher(f"{loopback}{path}")
    assert "/chain" not in _Server.hits  # the redirect was not followed


# --- 4. the chain --------------------------------------------------------------------------------


def _chain_case(pki: Pki, case: str) -> bytes:
    day = timedelta(days=1)
    if case == "self-signed-leaf":
        leaf = issue(
            "echo-api.amazon.com", pki.leaf_key, "echo-api.amazon.com", pki.leaf_key, ca=False
        )
        return pki.chain(leaf)
    if case == "untrusted-root":
        intermediate = issue(
            "Test Intermediate", pki.intermediate_key, "Evil Root", pki.other_key, ca=True
        )
        return pki.chain(pki.leaf, intermediate)
    if case == "missing-intermediate":
        return pki.chain(pki.leaf)
    if case == "wrong-san":
        return pki.chain(pki.issue_leaf(san=["echo-api.amazon.com.evil.com"]), pki.intermediate)
    if case == "wildcard-san":
        return pki.chain(pki.issue_leaf(san=["*.amazon.com"]), pki.intermediate)
    if case == "expired-leaf":
        leaf = pki.issue_leaf(not_before=EPOCH - 30 * day, not_after=EPOCH - day)
        return pki.chain(leaf, pki.intermediate)
    if case == "future-leaf":
        leaf = pki.issue_leaf(not_before=EPOCH + day, not_after=EPOCH + 30 * day)
        return pki.chain(leaf, pki.intermediate)
    if case == "expired-intermediate":
        intermediate = pki.issue_intermediate(not_before=EPOCH - 30 * day, not_after=EPOCH - day)
        return pki.chain(pki.leaf, intermediate)
    raise AssertionError(case)


CHAIN_CASES = {
    "self-signed-leaf": "does not validate",
    "untrusted-root": "does not validate",
    "missing-intermediate": "does not validate",
    "wrong-san": "does not validate",
    "wildcard-san": "does not name echo-api.amazon.com exactly",
    "expired-leaf": "does not validate",
    "future-leaf": "does not validate",
    "expired-intermediate": "does not validate",
}


@pytest.mark.parametrize(("case", "reason"), CHAIN_CASES.items(), ids=CHAIN_CASES.keys())
def test_a_chain_that_does_not_validate_is_refused(pki, served_skill, caplog, case, reason):
    endpoint = Endpoint(pki, served_skill, FakeFetcher({CERT_URL: _chain_case(pki, case)}))
    refused(endpoint.post(), caplog, reason)


def test_a_leaf_without_san_is_refused(pki, served_skill, caplog):
    leaf = pki.issue_leaf(san=[])
    endpoint = Endpoint(
        pki, served_skill, FakeFetcher({CERT_URL: pki.chain(leaf, pki.intermediate)})
    )
    refused(endpoint.post(), caplog, "certificate chain")


def test_a_cached_chain_is_checked_again_when_it_expires(pki, served_skill, caplog):
    leaf = pki.issue_leaf(
        not_before=EPOCH - timedelta(days=1), not_after=EPOCH + timedelta(hours=1)
    )
    endpoint = Endpoint(
        pki, served_skill, FakeFetcher({CERT_URL: pki.chain(leaf, pki.intermediate)})
    )
    accepted(endpoint.post())
    endpoint.clock.advance(minutes=59)
    accepted(endpoint.post())
    assert endpoint.fetcher.calls == [CERT_URL]  # one download, cached, dates checked each time
    endpoint.clock.advance(minutes=2)  # the request's timestamp moves with the clock
    refused(endpoint.post(), caplog, "does not validate")
    # Past the leaf's expiry the chain is downloaded again (here, the same expired chain).
    assert endpoint.fetcher.calls == [CERT_URL, CERT_URL]


def test_a_validated_chain_is_refused_once_its_intermediate_expires(pki, served_skill, caplog):
    # A chain is validated again only when the time leaves every date of its path: here the
    # intermediate expires first, while the cached chain's leaf is still in date.
    intermediate = pki.issue_intermediate(
        not_before=EPOCH - timedelta(days=1), not_after=EPOCH + timedelta(hours=1)
    )
    endpoint = Endpoint(
        pki, served_skill, FakeFetcher({CERT_URL: pki.chain(pki.leaf, intermediate)})
    )
    accepted(endpoint.post())
    endpoint.clock.advance(minutes=59)
    accepted(endpoint.post())
    endpoint.clock.advance(minutes=2)
    refused(endpoint.post(), caplog, "does not validate")
    assert endpoint.fetcher.calls == [CERT_URL]  # the leaf is in date: the same chain, refused


def test_a_chain_is_validated_again_only_outside_the_dates_it_was_valid_for(
    pki, served_skill, monkeypatch
):
    from skill import verify

    validated: list[datetime] = []
    check = verify.check_chain

    def counted(chain: Any, store: Any, now: datetime) -> Any:
        validated.append(now)
        return check(chain, store, now)

    monkeypatch.setattr(verify, "check_chain", counted)
    endpoint = Endpoint(pki, served_skill)
    for _ in range(3):
        accepted(endpoint.post())
        endpoint.clock.advance(minutes=1)
    assert len(validated) == 1  # three requests, one path validation


def test_an_expired_cached_chain_is_replaced_by_the_renewed_one(pki, served_skill):
    old = pki.issue_leaf(not_before=EPOCH - timedelta(days=1), not_after=EPOCH + timedelta(hours=1))
    fetcher = FakeFetcher({CERT_URL: pki.chain(old, pki.intermediate)})
    endpoint = Endpoint(pki, served_skill, fetcher)
    accepted(endpoint.post())
    fetcher.chains[CERT_URL] = pki.chain(pki.issue_leaf(), pki.intermediate)  # Amazon renewed
    endpoint.clock.advance(hours=2)
    accepted(endpoint.post())
    assert fetcher.calls == [CERT_URL, CERT_URL]


def test_a_failed_download_is_remembered_briefly_not_retried_by_every_request(pki):
    now = [0.0]
    fetcher = FakeFetcher({})  # every URL answers 404
    cache = ChainCache(fetcher, monotonic=lambda: now[0])
    for _ in range(50):
        with pytest.raises(Rejected, match="404"):
            cache.get(CERT_URL)
    assert fetcher.calls == [CERT_URL]
    now[0] += FAILURE_SECONDS + 1
    with pytest.raises(Rejected):
        cache.get(CERT_URL)
    assert len(fetcher.calls) == 2


def test_requests_that_miss_together_share_one_download(pki):
    started = threading.Event()

    class SlowFetcher(FakeFetcher):
        def __call__(self, url: str) -> bytes:
            started.set()
            time.sleep(0.2)
            return super().__call__(url)

    fetcher = SlowFetcher({CERT_URL: pki.chain()})
    cache = ChainCache(fetcher)
    threads = [threading.Thread(target=cache.get, args=(CERT_URL,)) for _ in range(16)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert fetcher.calls == [CERT_URL]


def test_a_signing_key_under_2048_bits_is_refused(pki):
    weak_key = rsa.generate_private_key(public_exponent=65537, key_size=1024)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "echo-api.amazon.com")])
    leaf = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(weak_key.public_key())
        .serial_number(1)
        .not_valid_before(EPOCH - timedelta(days=1))
        .not_valid_after(EPOCH + timedelta(days=1))
        .sign(weak_key, hashes.SHA256())
    )
    body = b"{}"
    signature = weak_key.sign(body, padding.PKCS1v15(), hashes.SHA256())
    with pytest.raises(Rejected, match="shorter than 2048"):
        check_signature(leaf, signature, body)


def test_the_chain_cache_is_bounded_and_shared_between_threads(pki):
    fetcher = FakeFetcher({f"{CERT_URL}{i}": pki.chain() for i in range(4)})
    cache = ChainCache(fetcher, size=2)
    for i in range(4):
        cache.get(f"{CERT_URL}{i}")
    assert len(cache) == 2
    cache.get(f"{CERT_URL}3")  # still cached
    assert len(fetcher.calls) == 4
    results: list[Any] = []
    threads = [
        threading.Thread(target=lambda i=i: results.append(cache.get(f"{CERT_URL}{i % 4}")))
        for i in range(32)
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 32 and len(cache) == 2


def test_parse_chain_puts_the_leaf_first(pki):
    chain = parse_chain(pki.chain())
    assert chain.leaf == pki.leaf and chain.intermediates == (pki.intermediate,)


# --- 5. the signature over the raw body ----------------------------------------------------------


def test_one_byte_changed_is_refused(endpoint, caplog):
    body = endpoint.body()
    changed = body.replace(b'"en-GB"', b'"en-US"', 1)
    assert changed != body
    refused(endpoint.post(changed, signed_body=body), caplog, "signature does not match")


def test_the_body_re_serialised_is_refused(endpoint, caplog):
    body = endpoint.body()
    same_json = json.dumps(json.loads(body), indent=1).encode()
    refused(endpoint.post(same_json, signed_body=body), caplog, "signature does not match")


def test_a_signature_by_another_key_is_refused(endpoint, pki, caplog):
    refused(endpoint.post(key=pki.other_key), caplog, "signature does not match")


def test_a_multi_byte_utf8_body_is_accepted(endpoint):
    envelope = endpoint.simulator.envelope(
        endpoint.simulator.intent(intents.ANSWER, answer="Khrushchev’s «ideas» 毛泽东")
    )
    body = endpoint.body(envelope)
    assert len(body) != len(body.decode("utf-8"))
    accepted(endpoint.post(body))


# --- 6. the timestamp ----------------------------------------------------------------------------


def _at(endpoint: Endpoint, seconds: float, request_type: str | None = None) -> bytes:
    envelope = endpoint.envelope()
    stamp = endpoint.clock() + timedelta(seconds=seconds)
    envelope["request"]["timestamp"] = stamp.strftime("%Y-%m-%dT%H:%M:%SZ")
    if request_type:
        envelope["request"]["type"] = request_type
        envelope["request"].pop("intent", None)
    return endpoint.body(envelope)


@pytest.mark.parametrize("seconds", [-149, 149, 0])
def test_a_timestamp_within_150_seconds_is_accepted(endpoint, seconds):
    accepted(endpoint.post(_at(endpoint, seconds)))


@pytest.mark.parametrize("seconds", [-151, 151, -86400])
def test_a_timestamp_more_than_150_seconds_away_is_refused(endpoint, caplog, seconds):
    refused(endpoint.post(_at(endpoint, seconds)), caplog, "timestamp is too old or in the future")


@pytest.mark.parametrize(
    ("stamp", "reason"),
    [
        (None, "timestamp is missing"),
        (1764172800000, "timestamp is missing"),
        ("yesterday", "timestamp is malformed"),
        ("2026-13-45T25:00:00Z", "timestamp is malformed"),
        ("2026-11-26T16:00:00", "no time zone"),
    ],
    ids=["missing", "number", "words", "impossible", "naive"],
)
def test_a_missing_or_malformed_timestamp_is_refused(endpoint, caplog, stamp, reason):
    envelope = endpoint.envelope()
    if stamp is None:
        del envelope["request"]["timestamp"]
    else:
        envelope["request"]["timestamp"] = stamp
    refused(endpoint.post(endpoint.body(envelope)), caplog, reason)


def test_a_skill_event_59_minutes_old_is_accepted(endpoint):
    response = endpoint.post(_at(endpoint, -59 * 60, "AlexaSkillEvent.SkillEnabled"))
    assert response.status_code == 200


def test_a_skill_event_61_minutes_old_is_refused(endpoint, caplog):
    body = _at(endpoint, -61 * 60, "AlexaSkillEvent.SkillEnabled")
    refused(endpoint.post(body), caplog, "timestamp is too old")


# --- 7. the skill id -----------------------------------------------------------------------------


@pytest.mark.parametrize("where", ["both", "context", "session"])
def test_another_skills_request_is_refused(endpoint, caplog, where):
    envelope = endpoint.envelope()
    other = {"applicationId": "amzn1.ask.skill.another"}
    if where in ("both", "context"):
        envelope["context"]["System"]["application"] = other
    if where in ("both", "session"):
        envelope["session"]["application"] = other
    refused(endpoint.post(endpoint.body(envelope)), caplog, "another skill")


def test_a_request_without_an_application_id_is_refused(endpoint, caplog):
    envelope = endpoint.envelope()
    del envelope["context"]["System"]["application"]
    del envelope["session"]["application"]
    refused(endpoint.post(endpoint.body(envelope)), caplog, "context.System.application")


@pytest.mark.parametrize("missing", [None, "delete"])
def test_a_request_naming_the_skill_only_in_its_session_is_refused_not_crashed(
    endpoint, caplog, missing
):
    """The SDK reads the skill id from context.System alone: without it, 400, never 500."""
    envelope = endpoint.envelope()
    if missing is None:
        envelope["context"]["System"]["application"] = None
    else:
        del envelope["context"]["System"]["application"]
    refused(endpoint.post(endpoint.body(envelope)), caplog, "context.System.application")


@pytest.mark.parametrize(
    "body",
    [b"[" * 60000 + b"]" * 60000, b'{"request": ' + b"[" * 5000 + b"]" * 5000 + b"}"],
    ids=["deep array", "deep request"],
)
def test_deeply_nested_json_is_refused_not_crashed(endpoint, caplog, body):
    refused(endpoint.post(body), caplog, "nested too deeply")


@pytest.mark.parametrize("extra", [0, 1], ids=["at the limit", "one over"])
def test_nesting_is_refused_one_level_past_the_limit_however_the_brackets_are_spread(extra):
    depth = MAX_NESTING + extra
    nested: list = []
    for _ in range(depth - 3):  # inside the envelope's object and its request's
        nested = [nested]
    deep = {"request": {"a": nested}}
    # The same depth with many more brackets about, in a string and side by side.
    wide = {"request": {"a": nested, "s": "{[" * 100, "b": [[[]]] * 50}}
    for envelope in (deep, wide):
        body = json.dumps(envelope).encode()
        if extra:
            with pytest.raises(Rejected, match="nested too deeply"):
                parse_envelope(body)
        else:
            assert parse_envelope(body) == envelope


def test_deeply_nested_session_attributes_are_refused_not_crashed(endpoint, caplog):
    envelope = endpoint.envelope()
    deep: dict = {}
    for _ in range(500):
        deep = {"x": deep}
    envelope["session"]["attributes"] = deep
    refused(endpoint.post(endpoint.body(envelope)), caplog, "nested too deeply")


# --- 8. signed bodies that are not envelopes -----------------------------------------------------


@pytest.mark.parametrize(
    "body",
    [b"{", b"[]", b"null", b'"text"', b"\xff\xfe{}", b"{}", b'{"request": []}'],
    ids=["brace", "list", "null", "string", "not-utf8", "empty-object", "request-list"],
)
def test_a_signed_body_that_is_not_an_envelope_is_refused(endpoint, caplog, body):
    refused(endpoint.post(body), caplog, "body is not")


def test_a_verified_envelope_the_sdk_cannot_read_is_400_not_500(endpoint, caplog):
    envelope = endpoint.envelope()
    envelope["request"]["type"] = "NoSuchRequest"
    refused(endpoint.post(endpoint.body(envelope)), caplog, "envelope does not deserialise")


def test_a_verified_envelope_without_context_is_refused(endpoint, caplog):
    envelope = endpoint.envelope()
    del envelope["context"]
    refused(endpoint.post(endpoint.body(envelope)), caplog, "no context.System")


# --- 9. what is logged ---------------------------------------------------------------------------


def test_log_lines_name_a_verified_request_id_and_never_the_body_user_or_slots(endpoint, caplog):
    caplog.set_level("DEBUG")
    secret_answer = "mistrust of the secret speech"
    envelope = endpoint.simulator.envelope(
        endpoint.simulator.intent(intents.ANSWER, answer=secret_answer)
    )
    body = endpoint.body(envelope)
    request_id = envelope["request"]["requestId"]
    accepted(endpoint.post(body))
    assert request_id in caplog.text  # verified: its id may be logged
    caplog.clear()
    refused(endpoint.post(body, key=endpoint.pki.other_key), caplog, "signature")
    envelope["request"]["timestamp"] = "2000-01-01T00:00:00Z"
    refused(endpoint.post(endpoint.body(envelope)), caplog, "timestamp")
    text = "\n".join(r.getMessage() for r in caplog.records)
    assert request_id not in text  # refused: nothing of the body, not even its id
    for secret in (secret_answer, SIMULATED_USER_ID, envelope["session"]["sessionId"], "{"):
        assert secret not in text


def test_a_forged_request_id_is_not_logged(endpoint, caplog):
    caplog.set_level("INFO")
    envelope = endpoint.envelope()
    envelope["request"]["requestId"] = "evil\nFAKE LOG LINE"
    refused(
        endpoint.post(endpoint.body(envelope), key=endpoint.pki.other_key),
        caplog,
        "rejected request: signature",
    )
    assert "FAKE" not in caplog.text and "evil" not in caplog.text


@pytest.mark.parametrize(
    "error",
    [
        http.client.BadStatusLine("HTTP/9"),
        http.client.IncompleteRead(b"partial"),
        http.client.HTTPException("odd"),
    ],
    ids=["bad status line", "incomplete read", "http exception"],
)
def test_a_download_failing_outside_oserror_is_refused_not_crashed(error):
    class FailingOpener:
        def open(self, url, timeout):
            raise error

    with pytest.raises(Rejected, match="certificate download failed"):
        UrlFetcher(opener=FailingOpener())("https://s3.amazonaws.com/echo.api/echo-api-cert.pem")

"""A test PKI shaped like Amazon's, and what tests need to sign requests with it.

    pki = shared_pki()                     # built once per test session (RSA keys are slow)
    headers = signed_headers(body, pki.leaf_key)
    fetcher = FakeFetcher({CERT_URL: pki.chain()})
    verifier = Verifier(skill_id=..., roots=[pki.root], fetcher=fetcher)

`create_test_app()` is a WSGI factory for gunicorn in tests: the real app, trusting the test root
and serving the test chain from a file instead of the network. It is never used in production.
"""

from __future__ import annotations

import base64
import functools
import os
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from flask import Flask

from skill.verify import CERT_URL_HEADER, SIGNATURE_HEADER, Rejected, Verifier

CERT_URL = "https://s3.amazonaws.com/echo.api/echo-api-cert-test.pem"
SIGNING_NAME = "echo-api.amazon.com"
# The PKI is valid around the real time, so that gunicorn tests can use the real clock too.
EPOCH = datetime.now(UTC).replace(microsecond=0)

Key = rsa.RSAPrivateKey


def _name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.COUNTRY_NAME, "GB"),
            x509.NameAttribute(NameOID.ORGANIZATION_NAME, "Test PKI"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


def _key_usage(*, ca: bool) -> x509.KeyUsage:
    return x509.KeyUsage(
        digital_signature=not ca,
        content_commitment=False,
        key_encipherment=not ca,
        data_encipherment=False,
        key_agreement=False,
        key_cert_sign=ca,
        crl_sign=ca,
        encipher_only=False,
        decipher_only=False,
    )


def issue(
    subject: str,
    key: Key,
    issuer: str,
    issuer_key: Key,
    *,
    ca: bool,
    san: Sequence[str] = (SIGNING_NAME,),
    not_before: datetime = EPOCH - timedelta(days=1),
    not_after: datetime = EPOCH + timedelta(days=30),
) -> x509.Certificate:
    """A certificate as a public CA issues it: SKI/AKI, critical BasicConstraints and KeyUsage."""
    builder = (
        x509.CertificateBuilder()
        .subject_name(_name(subject))
        .issuer_name(_name(issuer))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), False)
        .add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer_key.public_key()), False
        )
        .add_extension(x509.BasicConstraints(ca=ca, path_length=None), critical=True)
        .add_extension(_key_usage(ca=ca), critical=True)
    )
    if not ca:
        builder = builder.add_extension(
            x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), False
        ).add_extension(x509.SubjectAlternativeName([x509.DNSName(n) for n in san]), False)
    return builder.sign(issuer_key, hashes.SHA256())


def new_key() -> Key:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@dataclass(frozen=True)
class Pki:
    """Root -> intermediate -> leaf for echo-api.amazon.com, and a key nobody trusts."""

    root_key: Key
    intermediate_key: Key
    leaf_key: Key
    other_key: Key
    root: x509.Certificate = field(init=False)
    intermediate: x509.Certificate = field(init=False)
    leaf: x509.Certificate = field(init=False)

    def __post_init__(self) -> None:
        set_ = functools.partial(object.__setattr__, self)
        set_("root", issue("Test Root", self.root_key, "Test Root", self.root_key, ca=True))
        set_("intermediate", self.issue_intermediate())
        set_("leaf", self.issue_leaf())

    def issue_intermediate(self, **dates: Any) -> x509.Certificate:
        """An intermediate under the test root (validity overridable)."""
        return issue(
            "Test Intermediate", self.intermediate_key, "Test Root", self.root_key, ca=True, **dates
        )

    def issue_leaf(
        self, *, san: Sequence[str] = (SIGNING_NAME,), **dates: datetime
    ) -> x509.Certificate:
        """A signing certificate under the intermediate (SAN and validity overridable)."""
        return issue(
            SIGNING_NAME,
            self.leaf_key,
            "Test Intermediate",
            self.intermediate_key,
            ca=False,
            san=san,
            **dates,
        )

    def chain(self, *certificates: x509.Certificate) -> bytes:
        """PEM of the given certificates, by default leaf then intermediate as Amazon serves."""
        certificates = certificates or (self.leaf, self.intermediate)
        return b"".join(c.public_bytes(serialization.Encoding.PEM) for c in certificates)


@functools.cache
def shared_pki() -> Pki:
    """One Pki per test session."""
    return Pki(new_key(), new_key(), new_key(), new_key())


def sign(body: bytes, key: Key) -> str:
    """The Signature-256 header value: base64 of SHA-256 RSA PKCS#1 v1.5 over the body."""
    return base64.b64encode(key.sign(body, padding.PKCS1v15(), hashes.SHA256())).decode("ascii")


def signed_headers(body: bytes, key: Key, url: str = CERT_URL) -> dict[str, str]:
    """The headers Alexa sends with a body."""
    return {
        CERT_URL_HEADER: url,
        SIGNATURE_HEADER: sign(body, key),
        "Content-Type": "application/json; charset=utf-8",
    }


class FakeFetcher:
    """Serves chains from a dict instead of the network, and counts downloads."""

    def __init__(self, chains: Mapping[str, bytes | Exception]) -> None:
        self.chains = dict(chains)
        self.calls: list[str] = []

    def __call__(self, url: str) -> bytes:
        self.calls.append(url)
        found = self.chains.get(url)
        if found is None:
            raise Rejected("certificate download answered 404")
        if isinstance(found, Exception):
            raise found
        return found


class Clock:
    """A settable clock for the verifier (and the simulator building the requests)."""

    def __init__(self, now: datetime = EPOCH) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


# --- gunicorn in tests ---------------------------------------------------------------------------

PKI_DIR_ENV = "TEST_PKI_DIR"  # holds root.pem and chain.pem, written by the test


def write_pki(directory: Path, pki: Pki) -> None:
    """Files create_test_app reads: the trusted root, and the chain served at CERT_URL."""
    (directory / "root.pem").write_bytes(pki.chain(pki.root))
    (directory / "chain.pem").write_bytes(pki.chain())


def create_test_app(skill: Any = None) -> Flask:
    """The real app (or another skill behind it), trusting the test root and fetching the test
    chain from a file."""
    from skill.app import create_app
    from skill.config import Config
    from skill.verify import load_certificates

    directory = Path(os.environ[PKI_DIR_ENV])
    config = Config.from_env()
    verifier = Verifier(
        skill_id=config.skill_id,
        roots=load_certificates((directory / "root.pem").read_bytes()),
        fetcher=FakeFetcher({CERT_URL: (directory / "chain.pem").read_bytes()}),
    )
    return create_app(config, skill=skill, verifier=verifier)

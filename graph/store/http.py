"""HTTP to a SPARQL server: queries and updates through SPARQLWrapper, Graph Store requests, retries, errors.

Every failure becomes a StoreError (or StoreUnavailableError when the server is down, slow or answers
garbage) that names the endpoint, what was asked and what to do.
"""

from __future__ import annotations

import base64
import http.client
import io
import logging
import socket
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from email.message import Message
from typing import BinaryIO, TypeVar

from SPARQLWrapper import INSERT, POST, URLENCODED, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
    URITooLong,
)

from l4a.graph.errors import StoreError, StoreTimeoutError, StoreUnavailableError, UsageError

log = logging.getLogger(__name__)

T = TypeVar("T")
RETRY_STATUSES = frozenset({500, 502, 503, 504})
# Statuses that say the request was not carried out: safe to send an update again.
NOT_DONE_STATUSES = frozenset({502, 503, 504})
BACKOFF_SECONDS = 0.5
USER_AGENT = "l4a (Local4Action Hub Graph)"


@dataclass(frozen=True)
class Connection:
    """Where the server is and how to reach it."""

    query_url: str
    update_url: str = ""
    store_url: str = ""
    user: str = ""
    password: str = ""
    token: str = ""
    query_timeout: float = 10.0
    update_timeout: float = 300.0
    retries: int = 3

    def auth_header(self) -> str | None:
        """The Authorization header value, if credentials are set."""
        if self.token:
            return f"Bearer {self.token}"
        if self.user:
            pair = f"{self.user}:{self.password}".encode()
            return "Basic " + base64.b64encode(pair).decode("ascii")
        return None


class Answer:
    """A successful HTTP answer: its headers and its body, read as a stream within a deadline."""

    def __init__(self, response: BinaryIO, headers: Message, endpoint: str, deadline: float, timeout: float) -> None:
        self.headers = headers
        self.endpoint = endpoint
        self._response = response
        self._deadline = deadline
        self._timeout = timeout

    @property
    def content_type(self) -> str:
        """The media type, without parameters."""
        return (self.headers.get("Content-Type") or "").split(";")[0].strip().lower()

    def read(self, size: int = -1) -> bytes:
        """Read the body, failing clearly when the server stalls or the time is up."""
        if time.monotonic() > self._deadline:
            raise StoreTimeoutError(
                f"the SPARQL server at {self.endpoint} took longer than {self._timeout:g} s to send its answer; "
                "try again later, or raise the time limit (L4A_QUERY_TIMEOUT, L4A_UPDATE_TIMEOUT)."
            )
        try:
            return self._response.read(size)
        except TimeoutError as exc:
            raise StoreTimeoutError(
                f"the SPARQL server at {self.endpoint} stopped sending its answer for {self._timeout:g} s; "
                "try again later, or raise the time limit (L4A_QUERY_TIMEOUT, L4A_UPDATE_TIMEOUT)."
            ) from exc
        except (OSError, http.client.HTTPException) as exc:
            raise StoreUnavailableError(
                f"the connection to the SPARQL server at {self.endpoint} broke while it answered: {exc}."
            ) from exc

    def readall(self) -> bytes:
        """The whole body."""
        parts = []
        while chunk := self.read(1 << 20):
            parts.append(chunk)
        return b"".join(parts)

    def stream(self) -> BinaryIO:
        """The body as a file object for a streaming parser."""
        return io.BufferedReader(_Raw(self), buffer_size=1 << 16)

    def close(self) -> None:
        """Release the connection."""
        self._response.close()

    def __enter__(self) -> Answer:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class _Raw(io.RawIOBase):
    def __init__(self, answer: Answer) -> None:
        self._answer = answer

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: memoryview) -> int:  # type: ignore[override]
        data = self._answer.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _excerpt(body: bytes | str, limit: int = 300) -> str:
    text = body.decode("utf-8", "replace") if isinstance(body, bytes) else body
    text = " ".join(text.split())
    return text if len(text) <= limit else text[:limit] + " ..."


class Failure(Exception):
    """One failed attempt: whether trying again may help, and the error to raise if not."""

    def __init__(self, error: StoreError | UsageError, retry: bool, delay: float = 0.0) -> None:
        super().__init__(str(error))
        self.error = error
        self.retry = retry
        self.delay = delay


def classify(exc: BaseException, endpoint: str, what: str, timeout: float, safe_to_repeat: bool) -> Failure:
    """What an exception from urllib or SPARQLWrapper means for the user, and whether to retry."""
    status: int | None = None
    body = ""
    retry_after = 0.0
    if isinstance(exc, urllib.error.HTTPError):
        status = exc.code
        try:
            body = _excerpt(exc.read())
        except OSError:
            body = ""
        retry_after = _retry_after(exc.headers)
    elif isinstance(exc, SPARQLWrapperException):
        status = {
            QueryBadFormed: 400,
            Unauthorized: 401,
            EndPointNotFound: 404,
            URITooLong: 414,
            EndPointInternalError: 500,
        }.get(type(exc), 500)
        text = str(exc)
        body = _excerpt(text.split("Response:", 1)[1] if "Response:" in text else text)
    if status is not None:
        where = f"the SPARQL server at {endpoint}"
        if status == 400:
            return Failure(UsageError(f"{where} refused the {what} as not valid (HTTP 400): {body}"), retry=False)
        if status in (401, 403):
            return Failure(
                StoreError(
                    f"{where} refused access to the {what} (HTTP {status}): {body}; set L4A_SPARQL_USER and "
                    "L4A_SPARQL_PASSWORD, or L4A_SPARQL_TOKEN, to an account with the rights it needs."
                ),
                retry=False,
            )
        if status == 404:
            return Failure(
                StoreError(
                    f"there is no SPARQL endpoint at {endpoint} (HTTP 404); check the L4A_SPARQL_*_URL settings."
                ),
                retry=False,
            )
        if status == 414:
            return Failure(StoreError(f"{where} refused the {what} as too long (HTTP 414)."), retry=False)
        if status >= 500:
            again = status in RETRY_STATUSES and (safe_to_repeat or status in NOT_DONE_STATUSES)
            return Failure(
                StoreUnavailableError(f"{where} failed to carry out the {what} (HTTP {status}): {body}"),
                retry=again,
                delay=retry_after,
            )
        return Failure(StoreError(f"{where} answered the {what} with HTTP {status}: {body}"), retry=False)
    reason = exc.reason if isinstance(exc, urllib.error.URLError) else exc
    if isinstance(reason, (TimeoutError, socket.timeout)):
        return Failure(
            StoreTimeoutError(
                f"the SPARQL server at {endpoint} did not answer the {what} within {timeout:g} s; "
                "try again later, or raise the time limit (L4A_QUERY_TIMEOUT, L4A_UPDATE_TIMEOUT)."
            ),
            retry=False,
        )
    refused = isinstance(reason, ConnectionRefusedError)
    if isinstance(reason, (OSError, http.client.HTTPException)):
        return Failure(
            StoreUnavailableError(
                f"cannot reach the SPARQL server at {endpoint} for the {what}: "
                f"{getattr(reason, 'strerror', None) or reason}; check that it is running and the L4A_SPARQL_*_URL "
                "settings."
            ),
            # A refused connection never reached the server; a broken one may have, so only queries repeat.
            retry=refused or safe_to_repeat,
        )
    raise exc


def _retry_after(headers: Message | None) -> float:
    value = headers.get("Retry-After") if headers is not None else None
    try:
        return min(float(value), 10.0) if value else 0.0
    except ValueError:
        return 0.0


class SparqlClient:
    """Sends queries, updates and Graph Store requests to one server, with retries and clear errors."""

    def __init__(self, connection: Connection) -> None:
        self.connection = connection

    def _attempts(self, call: Callable[[], T], endpoint: str, what: str, timeout: float, safe: bool) -> T:
        attempts = self.connection.retries
        for attempt in range(1, attempts + 1):
            try:
                return call()
            except (urllib.error.URLError, SPARQLWrapperException, OSError, http.client.HTTPException) as exc:
                failure = classify(exc, endpoint, what, timeout, safe)
                if not failure.retry or attempt == attempts:
                    if failure.retry:
                        failure.error.args = (f"{str(failure.error).rstrip('.')} (after {attempts} attempts).",)
                    raise failure.error from exc
                pause = max(failure.delay, BACKOFF_SECONDS * 2 ** (attempt - 1))
                log.warning("%s Trying again in %.1f s.", failure.error, pause)
                time.sleep(pause)
        raise AssertionError("unreachable")

    def query(
        self,
        text: str,
        form: str,
        accept: str,
        parameters: Iterable[tuple[str, str]] = (),
        timeout: float | None = None,
    ) -> Answer:
        """POST a query (form-encoded: Virtuoso never answers a direct application/sparql-query POST)."""
        endpoint = self.connection.query_url
        timeout = timeout or self.connection.query_timeout

        def send() -> Answer:
            wrapper = self._wrapper(endpoint, timeout)
            # Set directly: SPARQLWrapper's own guess at the query form warns on some valid queries.
            wrapper.queryString, wrapper.queryType = text, form
            wrapper.setMethod(POST)
            wrapper.addCustomHttpHeader("Accept", accept)
            for name, value in parameters:
                wrapper.addParameter(name, value)
            result = wrapper.query()
            response = result.response
            return Answer(response, response.headers, endpoint, time.monotonic() + timeout, timeout)

        return self._attempts(send, endpoint, "query", timeout, safe=True)

    def update(self, text: str) -> None:
        """POST a SPARQL Update (form-encoded) and read the answer."""
        endpoint = self.connection.update_url
        if not endpoint:
            raise StoreError("this SPARQL store is read-only: set L4A_SPARQL_UPDATE_URL to write to it.")
        timeout = self.connection.update_timeout

        def send() -> None:
            wrapper = self._wrapper(endpoint, timeout, update=True)
            wrapper.queryString, wrapper.queryType = text, INSERT  # any update form: sent as update=
            wrapper.setMethod(POST)
            wrapper.addCustomHttpHeader("Accept", "*/*")
            result = wrapper.query()
            result.response.read()
            result.response.close()

        self._attempts(send, endpoint, "update", timeout, safe=False)

    def graph_store(
        self, method: str, body: bytes | Iterable[bytes] | None, content_type: str, graph: str | None
    ) -> None:
        """A Graph Store Protocol request (PUT, POST or DELETE) for one graph, or for the dataset if graph is None."""
        base = self.connection.store_url
        if not base:
            raise StoreError("no Graph Store endpoint is set (L4A_SPARQL_STORE_URL).")
        url = (
            base if graph is None else f"{base}{'&' if '?' in base else '?'}graph={urllib.parse.quote(graph, safe='')}"
        )
        timeout = self.connection.update_timeout

        def send() -> None:
            data = body if isinstance(body, bytes) or body is None else b"".join(body)
            request = urllib.request.Request(url, data=data, method=method)
            request.add_header("Content-Type", content_type)
            request.add_header("User-Agent", USER_AGENT)
            auth = self.connection.auth_header()
            if auth:
                request.add_header("Authorization", auth)
            with urllib.request.urlopen(request, timeout=timeout) as response:
                response.read()

        self._attempts(send, base, f"Graph Store {method}", timeout, safe=method in ("PUT", "DELETE"))

    def graph_store_get(self, accept: str) -> Answer:
        """GET the whole dataset from the Graph Store endpoint (Oxigraph answers with every graph)."""
        base = self.connection.store_url
        timeout = self.connection.update_timeout

        def send() -> Answer:
            request = urllib.request.Request(base, method="GET")
            request.add_header("Accept", accept)
            request.add_header("User-Agent", USER_AGENT)
            auth = self.connection.auth_header()
            if auth:
                request.add_header("Authorization", auth)
            response = urllib.request.urlopen(request, timeout=timeout)
            return Answer(response, response.headers, base, time.monotonic() + timeout, timeout)

        return self._attempts(send, base, "Graph Store GET", timeout, safe=True)

    def _wrapper(self, endpoint: str, timeout: float, update: bool = False) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(endpoint, updateEndpoint=endpoint if update else None, agent=USER_AGENT)
        wrapper.timeout = timeout  # type: ignore[assignment]  # setTimeout() would round to whole seconds
        wrapper.setRequestMethod(URLENCODED)
        wrapper.setOnlyConneg(True)  # no format=/output= parameters: some servers refuse what they do not know
        auth = self.connection.auth_header()
        if auth:
            wrapper.addCustomHttpHeader("Authorization", auth)
        return wrapper

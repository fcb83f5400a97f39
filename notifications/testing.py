"""A real SMTP server for tests (aiosmtpd on 127.0.0.1), in the test process: it keeps what it
accepts, refuses the recipients it is told to (for good or for now), and can stall in the
middle of a conversation so that a test can catch a worker mid-send."""

import asyncio
import email
import socket
import threading
import time
from email import policy
from email.message import EmailMessage

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP, Envelope, Session

STALL_POLL_SECONDS = 0.02


class Inbox:
    """An aiosmtpd handler that keeps every message it accepts, with when it stored it.
    Recipients in `refused` are turned away at RCPT with the reply given there, as a real
    server does with an unknown mailbox (5xx, for good) or a full one (4xx, for now). A
    recipient in `stall_once` makes the server stop answering at its RCPT, once, until
    `release` is set: `stalled` says that a client is waiting there."""

    def __init__(self) -> None:
        self.messages: list[EmailMessage] = []
        self.stored_at: list[float] = []  # time.monotonic() when each message was stored
        self.refused: dict[str, str] = {}
        self.stall_once: set[str] = set()
        self.stalled = threading.Event()
        self.release = threading.Event()
        self._lock = threading.Lock()

    async def handle_RCPT(
        self, server: SMTP, session: Session, envelope: Envelope, address: str, rcpt_options: list[str]
    ) -> str:
        if address in self.refused:
            return self.refused[address]
        if address in self.stall_once:
            self.stall_once.discard(address)
            self.stalled.set()
            while not self.release.is_set():  # without blocking the server's other sessions
                await asyncio.sleep(STALL_POLL_SECONDS)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: SMTP, session: Session, envelope: Envelope) -> str:
        raw = envelope.original_content or envelope.content
        if not isinstance(raw, bytes):  # never: the controller keeps what it receives as bytes (decode_data=False)
            raise TypeError(f"expected the message as bytes, got {type(raw).__name__}")
        message = email.message_from_bytes(raw, policy=policy.default)
        with self._lock:
            self.messages.append(message)
            self.stored_at.append(time.monotonic())
        return "250 Message accepted for delivery"

    def message_ids(self) -> list[str]:
        with self._lock:
            return [message["Message-ID"] for message in self.messages]


class LocalSmtpServer:
    """A real SMTP server on 127.0.0.1 that a test can stop and start again on the same port."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.inbox = Inbox()
        self._controller: Controller | None = None

    def start(self) -> None:
        assert self._controller is None
        self._controller = Controller(self.inbox, hostname="127.0.0.1", port=self.port, ready_timeout=10)
        self._controller.start()

    def stop(self) -> None:
        self.inbox.release.set()
        if self._controller is not None:
            self._controller.stop()
            self._controller = None

    @property
    def url(self) -> str:
        """EMAIL_URL for a worker in another process."""
        return f"smtp://127.0.0.1:{self.port}"


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]

import pytest

from notifications.testing import LocalSmtpServer, free_port


@pytest.fixture
def smtp():
    """A started local SMTP server, for workers in processes of their own (EMAIL_URL=smtp.url)."""
    server = LocalSmtpServer(free_port())
    server.start()
    yield server
    server.stop()

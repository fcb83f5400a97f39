import pytest
from django.test import Client

from accounts.services import issue_token


class ApiClient:
    """A JSON client authenticated with a bearer token, as the mobile app is."""

    def __init__(self, user=None):
        self.client = Client()
        self.headers = {"Authorization": f"Bearer {issue_token(user=user)}"} if user else {}

    def _call(self, method, path, body=None, raw=None):
        kwargs = {"headers": self.headers}
        if body is not None or raw is not None:
            kwargs |= {"data": raw if raw is not None else body, "content_type": "application/json"}
        return getattr(self.client, method)(f"/api/v1{path}", **kwargs)

    def get(self, path):
        return self._call("get", path)

    def post(self, path, body=None, raw=None):
        return self._call("post", path, body if body is not None else ({} if raw is None else None), raw)

    def put(self, path, body=None):
        return self._call("put", path, body if body is not None else {})

    def patch(self, path, body):
        return self._call("patch", path, body)

    def delete(self, path):
        return self._call("delete", path)


@pytest.fixture
def api_for():
    return ApiClient

import pytest
from judge_server import FakeJudgeServer


@pytest.fixture
def server():
    srv = FakeJudgeServer()
    yield srv
    srv.stop()

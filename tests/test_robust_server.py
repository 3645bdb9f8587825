"""The language server: a file that cannot be analysed gets a diagnostic saying why, at
once, and does not hold up the other open files."""
import asyncio
import time

from veriline.analyses import api

GOOD = "def f(x: int) -> int:\n    y = x\n    assert y != 3\n    return y\n"   # a real ✗
DEEP = "def h(x: int) -> int:\n    return " + "+".join(["1"] * 5000) + "\n"


class Sink:
    def __init__(self):
        self.versions = {}
        self.published = []
        self.stats_seen = []

    def current_version(self, uri):
        return self.versions.get(uri)

    def publish(self, res):
        self.published.append((res.uri, [f.message for f in res.findings()],
                               [e.message for e in res.program.errors]))

    def progress(self, job, kind, message, percentage):
        pass

    def stats(self, payload):
        self.stats_seen.append(payload)


async def _until(cond, timeout=60.0):
    end = time.monotonic() + timeout
    while not cond():
        assert time.monotonic() < end, "timed out"
        await asyncio.sleep(0.01)


def test_deep_and_huge_files_get_a_diagnostic_and_others_are_verified():
    from veriline.server.documents import Snapshot
    from veriline.server.scheduler import Scheduler
    texts = {"file:///w/deep.py": DEEP, "file:///w/huge.py": "#" + "x" * 5_000_000 + "\n",
             "file:///w/good.py": GOOD}

    async def run():
        sink = Sink()

        def snapshot(uri):
            return Snapshot(uri, 1, texts[uri], "python", uri[7:]), api.Options()
        sched = Scheduler(asyncio.get_running_loop(), sink, snapshot, backend=api)
        for uri in texts:
            sink.versions[uri] = 1
            sched.schedule(uri)
        await _until(lambda: len(sink.stats_seen) == 3)
        sched.shutdown()
        by_uri = {}
        for uri, messages, errors in sink.published:
            by_uri[uri] = (messages, errors)
        assert by_uri["file:///w/deep.py"] == ([], [
            "veriline cannot analyse this file: too deeply nested to analyse: a statement "
            "with 4999 operators (the limit is 1000)"])
        assert by_uri["file:///w/huge.py"] == ([], [
            "veriline cannot analyse this file: file too large to analyse (5.0 MB of text; "
            "the limit is 4.2 MB)"])
        assert by_uri["file:///w/good.py"] == (["assertion fails: f(3)"], [])
    asyncio.run(run())

"""The grader's protocol on its own: the op table drives both dispatchers and both proxies, the
records survive their JSON round trip, and two endpoints in one process talk as judge and worker."""

from __future__ import annotations

import os
import threading
from dataclasses import replace

import numpy as np
import pytest
import torch

from course_tools.grader.judge.remote import Remote, serve_lent
from course_tools.grader.protocol import ops
from course_tools.grader.protocol.limits import Limits
from course_tools.grader.protocol.ops import OPS, Op, Side
from course_tools.grader.protocol.proxy import Proxy, number_of, trusted_class
from course_tools.grader.protocol.records import CellKind, Row, SourceCell
from course_tools.grader.protocol.rpc import Endpoint, Request
from course_tools.grader.protocol.slots import (
    Calibrate,
    Calibrated,
    Calibration,
    Configure,
    Configured,
    Failed,
    Graded,
    GradeStudent,
    SlotConfig,
    answer_line,
    read_answer,
    read_request,
    request_line,
)
from course_tools.grader.protocol.wire import Codec, HandleTable
from course_tools.grader.worker.session import Session
from course_tools.grader.worker.worker import JudgeObject, serve


def test_each_proxy_sends_the_ops_its_side_may_use():
    for op in OPS.values():
        if op.dunder is not None:
            assert op.dunder in Remote.__dict__, f"Remote lacks {op.dunder} for op {op.name}"
        lent = op.dunder is not None and op.lent
        assert (op.dunder in JudgeObject.__dict__) == lent or op.dunder == "__repr__", op.name
    assert "__course_probe__" not in JudgeObject.__dict__  # a lent object is never probed from the worker


def test_the_judge_serves_lent_objects_only_what_the_table_allows():
    model = {"weight": np.ones(2)}
    assert serve_lent(Request("getitem", {"target": model, "key": "weight"})).tolist() == [1.0, 1.0]
    with pytest.raises(PermissionError, match="'setitem' on the grader's objects is not allowed"):
        serve_lent(Request("setitem", {"target": model, "key": "weight", "value": 0}))
    with pytest.raises(PermissionError, match="not allowed"):
        serve_lent(Request("exec", {"source": "import os"}))
    with pytest.raises(AttributeError, match="does not give its 'copy_'"):
        serve_lent(Request("getattr", {"target": model, "name": "copy_"}))
    with pytest.raises(AttributeError, match="does not give its '_secret'"):
        serve_lent(Request("getattr", {"target": model, "name": "_secret"}))
    with pytest.raises(PermissionError, match="may not change"):
        serve_lent(Request("call", {"target": torch.zeros(1).copy_, "args": [torch.ones(1)]}))


def test_the_worker_serves_the_session_and_refuses_unknown_ops():
    session = Session()
    assert serve(session, Request("exec", {"source": "import math\nx = 3"})) is None
    assert serve(session, Request("has", {"names": ["x", "math", "y"]})) == ["x"]
    assert serve(session, Request("lookup", {"name": "x"})) == 3
    error = serve(session, Request("exec", {"source": "1 / 0"}))
    assert error["type"] == "ZeroDivisionError" and "<cell 2>" in error["where"]
    with pytest.raises(ValueError, match="unknown operation 'unpickle'"):
        serve(session, Request("unpickle", {}))


def test_an_op_is_one_entry_of_the_table(monkeypatch):
    """A new op needs nothing but its entry: both dispatchers serve it, the proxies send it."""
    negate = Op("negate", Side.OWNER, lambda s, target: -target, lent=True, dunder="__neg__")
    monkeypatch.setitem(OPS, "negate", negate)

    class Lent(Proxy, forwards=lambda op: op.lent):
        __slots__ = ()

    sent = []

    class Channel:
        def request(self, op, **params):
            sent.append(op)
            return serve_lent(Request(op, {**params, "target": 5}))

    assert -Lent(Channel(), _info()) == -5 and sent == ["negate"]
    assert serve(Session(), Request("negate", {"target": 2})) == -2


def _info():
    from course_tools.grader.protocol.wire import HandleInfo

    return HandleInfo(1, "object", False, [("builtins", "object")])


def test_trusted_class_takes_the_first_trusted_base():
    assert (
        trusted_class([("student", "Net"), ("torch.nn.modules.module", "Module")], Remote).__name__
        == "Module"
    )
    assert trusted_class([("student", "Net"), ("os", "PathLike")], Remote) is Remote


def test_records_survive_their_json():
    cell = SourceCell(CellKind.TEST, "test_f", 2.0, "assert f(1) == 2\n")
    assert SourceCell.from_json(cell.to_json()) == cell and cell.to_json()["kind"] == "test"
    row = Row.of("s1", "a1", "nb", cell, 1.0, "failed: " + "x" * 1000)
    assert len(row.status) == 300 and Row.from_json(row.to_json()) == row
    assert row.csv_fields()[4:6] == ["1", "2"]
    config = SlotConfig("a1", {"nb": [cell]}, Limits(memory_mb=512), True, 30.0, 300.0, None, 7)
    config.calibration = Calibration([["course_lib.numpy_nn.rnn", "rnn_forward"]], {"nb": ["test_f"]})
    assert SlotConfig.from_json(config.to_json()) == config
    for request in (GradeStudent("s1", "/subs/s1"), Calibrate("/sol"), Configure(config.calibration)):
        assert read_request(request_line(request)) == request
    for answer in (Graded([row], 1.5), Calibrated({"nb": {}}, []), Failed("grader error: x"), Configured()):
        assert read_answer(answer_line(answer)) == answer
    assert replace(config, slot=8).slot == 8


def test_two_endpoints_call_across_and_copy_back_changes():
    """The judge calls a worker function that fills its argument: the judge's array changes too."""
    to_worker, from_worker = os.pipe(), os.pipe()

    def fill(out, value):
        out[:] = value
        return float(out.sum())

    worker_table, judge_table = HandleTable(), HandleTable()
    worker: Endpoint
    judge: Endpoint
    worker_codec = Codec(worker_table, lambda info: None, lambda v: None, lambda v: False)

    def worker_serve(request):
        if request.op == "lookup":
            return fill
        return ops.OPS[request.op].serve(None, **request.params)

    worker = Endpoint(to_worker[0], from_worker[1], worker_codec, worker_serve)

    class Judge:
        def request(self, op, **params):
            return judge.request(op, **params)

    owner = Judge()
    judge_codec = Codec(
        judge_table, lambda info: Remote(owner, info), lambda v: number_of(v, Remote, owner), lambda v: False
    )
    judge = Endpoint(from_worker[0], to_worker[1], judge_codec, serve_lent)

    def serve_until_closed():
        try:
            worker.serve_forever()
        except Exception:  # the pipes closed: the end of the conversation
            pass

    thread = threading.Thread(target=serve_until_closed, daemon=True)
    thread.start()
    try:
        remote_fill = judge.request("lookup", name="fill")
        assert type(remote_fill) is Remote and callable(remote_fill)
        mine = np.zeros(3)
        assert remote_fill(mine, 2.0) == 6.0
        assert mine.tolist() == [2.0, 2.0, 2.0]  # written back into the judge's own array
        with pytest.raises(TypeError):
            remote_fill()  # the worker's TypeError, rebuilt as a safe builtin in the judge
    finally:
        for fd in (*to_worker, *from_worker):
            os.close(fd)
        thread.join(timeout=5)

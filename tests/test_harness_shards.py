"""Shards balanced by measured cost (``--shard-costs``): a deterministic partition, balanced by the
seconds an earlier report measured per case, and shards plus merge still give the report of one run."""
from __future__ import annotations

import json

from test_harness_tool import _cli

from conformance import __main__ as cli
from conformance.plugin import (
    BEHAVIOUR_ROW,
    case_id_of,
    costs_of,
    in_shard,
    shard_members,
)


def _split(ids, n, costs):
    return [shard_members(ids, (k, n), costs) for k in range(1, n + 1)]


def test_cost_balanced_shards_partition_the_cases_deterministically():
    ids = [f"op{i}[function-float32]" for i in range(40)] + [BEHAVIOUR_ROW]
    costs = {i: 0.01 * (n % 7 + 1) for n, i in enumerate(ids)}
    costs[BEHAVIOUR_ROW] = 2.0                       # one case as long as many others together
    del costs["op3[function-float32]"]               # a case the costs file does not know
    for n in (2, 3, 5):
        shards = _split(ids, n, costs)
        assert sorted(i for s in shards for i in s) == sorted(ids)           # every case in exactly one shard
        assert shards == _split(list(reversed(ids)), n, dict(reversed(list(costs.items()))))  # order-free
        totals = [sum(costs.get(i, 0.04) for i in s) for s in shards]
        assert [BEHAVIOUR_ROW] in [sorted(s) for s in shards]                 # the long case alone ...
        rest = sorted(totals)[:-1]
        assert max(rest) - min(rest) <= 0.07 + 1e-9                           # ... the others within a case
    hashed = [{i for i in ids if in_shard(i, (k, 3))} for k in range(1, 4)]
    assert _split(ids, 3, {}) == hashed                                       # no costs: the stable hash


def test_cost_balanced_shards_merged_give_the_report_of_one_run(tmp_path, monkeypatch):
    code, whole = _cli(tmp_path, monkeypatch, "--no-shrink", name="whole")
    assert code == 0
    costs = costs_of(str(tmp_path / "whole"))
    assert len(costs) == len(whole["cases"]) and all(v > 0 for v in costs.values())
    shards = []
    for k in (1, 2, 3):
        _, data = _cli(tmp_path, monkeypatch, "--no-shrink", "--shard", f"{k}/3", "--shard-costs",
                       str(tmp_path / "whole" / "report.json"), name=f"shard{k}")
        shards.append(data)
        assert {case_id_of(c) for c in data["cases"]} == shard_members(list(costs), (k, 3), costs)
    assert all(s["cases"] for s in shards) and sum(len(s["cases"]) for s in shards) == len(whole["cases"])
    assert cli.main(["merge", *(str(tmp_path / f"shard{k}") for k in (1, 2, 3)), "--report",
                     str(tmp_path / "merged")]) == 0
    merged = json.loads((tmp_path / "merged" / "report.json").read_text())
    assert merged["matrix"] == whole["matrix"] and list(merged["matrix"]) == list(whole["matrix"])

    def strip(case):
        return {k: v for k, v in case.items() if k != "seconds"}
    assert [strip(c) for c in merged["cases"]] == [strip(c) for c in whole["cases"]]


def test_a_costs_file_that_cannot_be_read_is_a_usage_error(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr("conformance.registry.all_records", list)
    assert cli.main(["--shard", "1/2", "--shard-costs", str(tmp_path / "nope.json"), "--report",
                     str(tmp_path / "out")]) == 2
    assert "nope.json" in capsys.readouterr().err

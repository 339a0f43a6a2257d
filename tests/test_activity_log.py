"""The activity log: checked events, whole lines under concurrent appends, bad and forged lines skipped."""

import json
import multiprocessing
import os
import stat

import numpy as np
import pandas as pd
import pytest

from cbec.activity import ActivityError, ActivityLog, inbound_submissions, read_activity, scan_activity

ROUND = {"kind": "practice_round", "seed": 3, "week": 1, "profit": 120.5, "lost_units": 0, "ad_spend": 30.0,
         "ad_gross_margin": 41.0, "stockout_lines": 0}


def test_record_stamps_time_and_student_and_reads_back(tmp_path):
    log = ActivityLog(tmp_path / "activity", "amy")
    stored = log.record(ROUND, at="2026-03-01 09:30")
    assert stored["student"] == "amy" and stored["time"] == "2026-03-01T09:30:00+00:00"
    log.record({"kind": "training", "session": "kickoff"})
    log.record({"kind": "submission", "assignment": "final", "timestamp": "2026-03-02T10:00:00Z"})
    events = read_activity(tmp_path / "activity")
    assert events["kind"].tolist() == ["practice_round", "training", "submission"]
    assert str(events["time"].dt.tz) == "UTC" and (events["student"] == "amy").all()
    assert events.loc[0, "profit"] == 120.5 and events.attrs["skipped"].empty
    # the folder is like nbgrader's inbound: others may write into it but not list it
    mode = stat.S_IMODE(os.stat(tmp_path / "activity").st_mode)
    assert mode & stat.S_IWOTH and not mode & stat.S_IROTH


@pytest.mark.parametrize("event, message", [
    ({"kind": "practise_round"}, "Unknown event kind"),
    ({**ROUND, "proft": 1}, "no field"),
    ({k: v for k, v in ROUND.items() if k != "profit"}, "needs profit"),
    ({**ROUND, "profit": "a lot"}, "profit must be a number"),
    ({**ROUND, "profit": True}, "profit must be a number"),
    ({**ROUND, "week": 1.5}, "whole number"),
    ({**ROUND, "lost_units": -2}, "at least 0"),
    ({**ROUND, "profit": float("nan")}, "finite"),
    ({"kind": "quiz", "module": "m", "score": 5, "max_score": 4}, "between 0 and max_score"),
    ({"kind": "submission", "assignment": "a", "timestamp": "yesterday-ish"}, "not a time"),
    ({**ROUND, "student": "bob"}, "the log adds them"),
    ({"kind": "training", "session": {"a": {1, 2}}}, "non-empty string"),
])
def test_bad_events_are_refused_with_the_reason(tmp_path, event, message):
    log = ActivityLog(tmp_path, "amy")
    with pytest.raises(ActivityError, match=message):
        log.record(event)
    assert not log.path.exists()  # nothing half-written


def test_non_json_data_is_refused_and_numpy_numbers_are_plain(tmp_path):
    log = ActivityLog(tmp_path, "amy")
    log.record({**ROUND, "profit": np.float64(10.0), "week": np.int64(2)})
    assert json.loads(log.path.read_text())["week"] == 2
    with pytest.raises(ActivityError, match="must be a number"):
        log.record({**ROUND, "profit": np.array([1.0, 2.0])})
    with pytest.raises(ActivityError, match="valid student id"):
        ActivityLog(tmp_path, "../bob")


def _append_many(folder, student, worker, n):
    log = ActivityLog(folder, student)
    for i in range(n):
        log.record({**ROUND, "seed": worker, "week": i + 1})


def test_concurrent_appends_keep_every_line_whole(tmp_path):
    workers, per_worker = 6, 150
    context = multiprocessing.get_context("fork")
    processes = [context.Process(target=_append_many, args=(tmp_path, "amy", w, per_worker)) for w in range(workers)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    scan = scan_activity(tmp_path)
    assert scan.skipped.empty, scan.skipped
    assert len(scan.events) == workers * per_worker
    counts = scan.events.groupby("seed")["week"].agg(["count", "nunique"])
    assert (counts["count"] == per_worker).all() and (counts["nunique"] == per_worker).all()


def test_malformed_and_forged_lines_are_skipped_and_reported(tmp_path):
    ActivityLog(tmp_path, "amy").record(ROUND, at="2026-03-01")
    ActivityLog(tmp_path, "bob").record({"kind": "training", "session": "kickoff"}, at="2026-03-01")
    forged = {**ROUND, "kind": "practice_season", "seed": 1, "profit": 9e6, "weeks": 8, "time": "2026-03-02",
              "student": "bob"}
    forged = {k: v for k, v in forged.items() if k not in ("week", "lost_units", "ad_spend", "ad_gross_margin",
                                                          "stockout_lines")}
    with open(tmp_path / "amy.jsonl", "ab") as handle:
        handle.write(b"not json\n[1, 2]\n\xff\xfe\n" + json.dumps(forged).encode() + b"\n"
                     + b'{"kind": "training", "session": "x"}\n' + b'{"kind": "practice_round", "seed"')
    (tmp_path / "bad name!.jsonl").write_text(json.dumps({"kind": "training", "session": "x"}))
    (tmp_path / "notes.txt").write_text("ignored: not a log file")
    scan = scan_activity(tmp_path)
    assert sorted(zip(scan.events["student"], scan.events["kind"])) == [("amy", "practice_round"), ("bob", "training")]
    reasons = dict(zip(zip(scan.skipped["file"], scan.skipped["line"]), scan.skipped["reason"]))
    assert reasons[("amy.jsonl", 2)].startswith("not JSON")
    assert reasons[("amy.jsonl", 3)] == "not a JSON object"
    assert reasons[("amy.jsonl", 4)] == "not UTF-8 text"
    assert "forged" in reasons[("amy.jsonl", 5)] and "'bob'" in reasons[("amy.jsonl", 5)]
    assert "not a time" in reasons[("amy.jsonl", 6)]  # no time stamp: not written by the log
    assert reasons[("amy.jsonl", 7)].startswith("not JSON")  # a line cut short
    assert reasons[("bad name!.jsonl", 0)] == "file name is not a student id"
    assert len(scan.skipped) == 7


def test_an_empty_or_missing_log_has_every_column(tmp_path):
    events = read_activity(tmp_path / "nothing")
    assert events.empty and {"student", "time", "kind", "profit", "module", "assignment"} <= set(events.columns)


def test_submissions_are_read_from_nbgrader_inbound_folder_names(tmp_path):
    inbound = tmp_path / "inbound"
    for name in ("amy+competition+2026-03-05 10:00:00.000001 UTC+abc123",
                 "bo+b+competition+2026-03-06 11:30:00.5 UTC+def456",  # '+' inside an id, split from the right
                 "amy+data_operation+not a time+x", "stray"):
        (inbound / name).mkdir(parents=True)
    (inbound / "file+a+2026-03-05 10:00:00 UTC+x").write_text("a file, not a submission")
    table = inbound_submissions(inbound)
    assert table[["student", "assignment"]].values.tolist() == [["amy", "competition"], ["bo+b", "competition"]]
    assert table["time"].tolist() == [pd.Timestamp("2026-03-05 10:00:00.000001", tz="UTC"),
                                      pd.Timestamp("2026-03-06 11:30:00.5", tz="UTC")]
    assert inbound_submissions(tmp_path / "none").empty

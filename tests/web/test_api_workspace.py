"""The workspace as a modelling tool, through the API: examples, version diff, report file
name, the analysis document's target verdicts and coalition rows, the graph around the
status quo and the target, the sweep's baseline levels. Expected values are derived by hand
in each test (or read from the scenario file's own comments)."""

from __future__ import annotations

from detente.web import compute
from tests.web.conftest import KOREA, PD, wait_job

RIVER = """\
format: detente/1
name: River dispute
decision_makers:
  - id: up
    name: Upstream state
    options: [{id: dam, label: Build the dam}, {id: share, label: Share the water}]
  - id: down
    name: Downstream state
    options: [{id: protest, label: Protest at the UN}]
  - id: town
    name: Riverside town
    options: [{id: sue, label: Sue the builder}]
status_quo: YNYN
preferences:
  up: {prioritization: [up.dam, not down.protest, not town.sue, not up.share]}
  down: {prioritization: [up.share, not up.dam, down.protest iff up.dam]}
  town: {prioritization: [not up.dam, town.sue iff up.dam]}
analysis:
  target: {up.share: Y, down.protest: N}
  levers: [up.dam, up.share]
  coalitions: [[down, town]]
variants:
  stubborn:
    fix: {up.share: N}
"""


def test_examples_list_the_seed_and_every_catalogue_case(client) -> None:  # type: ignore[no-untyped-def]
    from detente.catalog import list_cases

    rows = client.get("/api/examples").json()
    keys = [r["key"] for r in rows]
    assert keys[0] == "seed" and rows[0]["kind"] == "seed"
    assert keys[1:] == list_cases()
    assert rows[0]["n_dms"] == 4 and rows[0]["n_options"] == 13  # the seed's header
    r = client.post("/api/examples/open", json={"text": "prisoners_dilemma"})
    assert r.status_code == 404  # the full key, as listed
    r = client.post("/api/examples/open", json={"text": "fraser_hipel1984/prisoners_dilemma"})
    assert r.status_code == 201
    assert r.json()["name"] == "Prisoner's Dilemma"
    assert client.get("/api/scenarios").json()[0]["name"] == "Prisoner's Dilemma"


def test_diff_between_versions(client) -> None:  # type: ignore[no-untyped-def]
    sid = client.post("/api/scenarios", json={"text": PD}).json()["id"]
    text2 = PD.replace("Prisoner One\n", "First prisoner\n")
    assert client.put(f"/api/scenarios/{sid}", json={"text": text2, "base_version": 1}).is_success
    d = client.get(f"/api/scenarios/{sid}/diff?a=1&b=2").json()
    assert [x["text"] for x in d["lines"] if x["kind"] == "-"] == ["    name: Prisoner One"]
    assert [x["text"] for x in d["lines"] if x["kind"] == "+"] == ["    name: First prisoner"]
    same = client.get(f"/api/scenarios/{sid}/diff?a=2&b=2").json()
    assert same["lines"] == []
    assert client.get(f"/api/scenarios/{sid}/diff?a=1&b=9").status_code == 404


def test_report_file_name_names_scenario_and_version(client, app) -> None:  # type: ignore[no-untyped-def]
    sid = client.post("/api/scenarios", json={"text": PD}).json()["id"]
    jid = client.post(f"/api/scenarios/{sid}/reports", json={}).json()["id"]
    assert wait_job(client, app, jid)["status"] == "done"
    r = client.get(f"/api/jobs/{jid}/report.html")
    assert r.headers["content-disposition"] == (
        'attachment; filename="prisoner-s-dilemma-v1-report.html"'
    )


def test_analysis_document_target_verdicts_coalitions_and_steps() -> None:
    doc = compute.analysis_document(RIVER)
    base, stubborn = doc["variants"]
    # options up.dam (bit 0), up.share, down.protest, town.sue; id = code + 1.
    # status quo YNYN = 1 + 4 -> id 6; target YYNN (share Y, protest N, the rest as the
    # status quo) = 1 + 2 -> id 4.
    assert (base["status_quo"], base["target"]) == (6, 4)
    # at the target the downstream state protests iff up.dam: dam is Y, protest N, so
    # taking the protest satisfies its third statement and nothing above it changes:
    # a Nash improvement, so the target is not Nash-stable.
    assert base["target_verdict"]["stable"]["nash"] is False
    assert [r["id"] for r in base["table"] if r["target"]] == [4]
    # coalition rows: the three single DMs and down + town, labelled by name
    labels = base["coalitions"]["labels"]
    assert labels == ["Upstream state", "Downstream state", "Riverside town",
                      "Downstream state + Riverside town"]  # fmt: skip
    assert all(len(v) == 4 for v in base["coalitions"]["target_stable"].values())
    # the town sues from the status quo: its step names the option, not only the ids
    step = next(p for p in base["paths"] if p["to"] == 14)["steps"][0]
    assert step["changes"] == ["Riverside town takes 'Sue the builder'"]
    # stubborn holds up.share at N: 8 states, numbered differently from the base model
    assert stubborn["n_states"] == 8 and base["n_states"] == 16


def test_graph_of_the_seed_centres_on_status_quo_and_target() -> None:
    text = KOREA.read_text(encoding="utf-8")
    g = compute.graph_document(text, "hard_line", moves="all")
    ids = [n["id"] for n in g["nodes"]]
    # the seed's header: status quo YNNNYYYY YYY N N, united front NYYYNNNN NNN Y Y
    sq = next(n for n in g["nodes"] if n["status_quo"])
    tg = next(n for n in g["nodes"] if n["target"])
    assert sq["pattern"] == "YNNNYYYYYYYNN" and tg["pattern"] == "NYYYNNNNNNNYY"
    assert (g["status_quo"], g["target"]) == (sq["id"], tg["id"])
    assert ids[:2] == [sq["id"], tg["id"]]
    # every one of the 13 options differs between the two (the header's two rows)
    assert len(tg["differs"]) == 13 and sq["differs"] == []
    assert "United States: drops" in tg["differs"][0]
    # all moves of a real case: bounded and said so
    assert len(g["nodes"]) <= compute.GRAPH_MAX_NODES_ALL == g["max_nodes"]
    assert len(g["edges"]) <= compute.GRAPH_MAX_EDGES_ALL and g["truncated"]


def test_sweep_no_change_is_the_baseline_with_sample_counts(client, app) -> None:  # type: ignore[no-untyped-def]
    sid = client.post("/api/scenarios", json={"text": PD}).json()["id"]
    form = client.get(f"/api/scenarios/{sid}/sweep-form").json()
    spec = client.post("/api/sweep-spec", json=form["form"]).json()["text"]
    job = wait_job(
        client, app, client.post(f"/api/scenarios/{sid}/sweeps", json={"spec": spec}).json()["id"]
    )
    doc = client.get(f"/api/jobs/{job['id']}/sweep").json()["result"]
    # per DM 4 levels (no change, drop #1, swap #1 and #2, drop #2), 4 x 4 = 16 variants,
    # exhaustive: each level of a factor is in 4 variants, and not in the other 12
    seen_baseline = False
    for block in doc["concepts"]:
        for e in block["sensitivity"]:
            assert not e["level"].startswith("no change"), e
            assert (e["n_with"], e["n_without"]) == (4, 12), e
        for b in block["baselines"]:
            seen_baseline = True
            assert b["level"].startswith("no change") and b["n"] == 4, b
        top = {r["state"]: r for r in block["top"]}
        if 1 in top:  # NN is the status quo
            assert top[1]["label"] == "the status quo"
        if 4 in top:  # YY: both prisoners cooperate, each "takes" its option
            assert top[4]["label"] == (
                "Prisoner One takes Cooperate with Two; Prisoner Two takes Cooperate with One"
            )
    assert seen_baseline


def test_preview_suggests_a_feasible_status_quo(client) -> None:  # type: ignore[no-untyped-def]
    # a rule "town must sue" makes the status quo YNYN (town.sue N) infeasible; by hand,
    # the feasible states are those with bit 3 (town.sue) set, the first is code 8: NNNY
    text = RIVER.replace("status_quo: YNYN", "status_quo: YNYN\nfeasibility: [{require: town.sue}]")
    p = client.post("/api/preview", json={"text": text}).json()
    assert not p["ok"] and p["error"]["field"] == "status_quo"
    assert p["suggest_status_quo"] == "NNNY"
    fixed = client.post("/api/preview", json={"text": text.replace("YNYN", "NNNY")}).json()
    assert fixed["ok"] and fixed["n_states"] == 8

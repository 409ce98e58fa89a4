"""yamledit.merge_text: the form's edits written into the YAML, comments kept."""

from __future__ import annotations

import copy

from detente.io import load_scenario_text
from detente.web.yamledit import merge_text, plain_data
from tests.web.conftest import KOREA

PD3 = """\
format: detente/1
name: Three
decision_makers:
  # the first prisoner
  - id: one
    name: One
    options:
      - id: cooperate   # one's option
        label: Cooperate
  # the second prisoner
  - id: two
    name: Two
    options:
      - id: cooperate
        label: Cooperate
  # the third prisoner
  - id: three
    name: Three
    options:
      - id: cooperate
        label: Cooperate

# the status quo: nobody cooperates
status_quo: NNN
preferences:
  # one's view
  one: {prioritization: [two.cooperate]}
  # two's view
  two: {prioritization: [one.cooperate]}
  # three's view
  three: {prioritization: [one.cooperate]}
# end of preferences
"""


def test_unchanged_data_keeps_the_text() -> None:
    assert merge_text(PD3, plain_data(PD3)) == PD3


def test_removing_a_middle_dm_keeps_the_others_comments() -> None:
    data = plain_data(PD3)
    data["decision_makers"].pop(1)
    del data["preferences"]["two"]
    data["status_quo"] = "NN"
    data["preferences"]["one"]["prioritization"] = ["three.cooperate"]
    out = merge_text(PD3, data)
    load_scenario_text(out)
    assert "id: two" not in out and "two's view" not in out and "the second" not in out
    for kept in ("# the first", "# one's option", "# the third", "# three's view", "# one's view"):
        assert kept in out
    assert "# the status quo: nobody cooperates\nstatus_quo: NN\n" in out
    assert out.endswith("# end of preferences\n")
    assert plain_data(out) == data


def test_removing_the_last_dm_and_option_keeps_the_comment_before_the_next_key() -> None:
    data = plain_data(PD3)
    data["decision_makers"].pop()
    del data["preferences"]["three"]
    data["status_quo"] = "NN"
    out = merge_text(PD3, data)
    load_scenario_text(out)
    assert "three" not in out.replace("# the third prisoner", "")
    assert "# the status quo: nobody cooperates\nstatus_quo: NN" in out
    assert out.endswith("# end of preferences\n")


def test_adding_dms_and_options_goes_before_the_next_keys_comment() -> None:
    data = plain_data(PD3)
    data["decision_makers"][0]["options"].append(
        {"id": "defect", "label": "Defect loudly", "description": "says so", "reversibility": "up"}
    )
    data["decision_makers"].append(
        {"id": "four", "name": "Four", "options": [{"id": "talk", "label": "Talk"}]}
    )
    data["preferences"]["four"] = {"prioritization": ["not four.talk"]}
    data["status_quo"] = "NNNNY"
    out = merge_text(PD3, data)
    conflict = load_scenario_text(out)
    ids = [o.id for o in conflict.options]
    assert ids == ["cooperate", "defect", "cooperate", "cooperate", "talk"]
    assert conflict.options[1].reversibility == "up"
    assert plain_data(out) == data
    # the new DM comes after the third one, and the comment of status_quo stays on it
    assert out.index("id: four") < out.index("# the status quo")
    assert out.index("# the third prisoner") < out.index("id: four")
    assert out.index("four:") < out.index("# end of preferences")
    assert "# one's option" in out


def test_reordering_dms_moves_their_comments_with_them() -> None:
    data = plain_data(PD3)
    data["decision_makers"].reverse()
    out = merge_text(PD3, data)
    assert plain_data(out) == data
    assert out.index("id: three") < out.index("id: one")
    assert out.index("# one's option") > out.index("id: one")


def test_korea_remove_china_drops_its_header_and_keeps_russias() -> None:
    text = KOREA.read_text()
    data = plain_data(text)
    data = copy.deepcopy(data)
    data["decision_makers"] = [d for d in data["decision_makers"] if d["id"] != "china"]
    del data["preferences"]["china"]
    out = merge_text(text, data)
    assert "--- China" not in out and "Beijing is uneasy" not in out
    assert "--- Russia" in out and "Moscow's own grievances" in out
    assert plain_data(out) == data


def test_number_keys_are_matched_to_the_forms_text_keys() -> None:
    text = PD3.replace("status_quo: NNN", "status_quo: {1: N, two.cooperate: Y}")
    data = plain_data(text)
    assert data["status_quo"] == {"1": "N", "two.cooperate": "Y"}
    data["status_quo"]["1"] = "Y"
    out = merge_text(text, data)
    assert "status_quo: {1: Y, two.cooperate: Y}" in out
    assert load_scenario_text(out).status_quo == 0b011

from catalog.account_fields import build_data, clean_values, preset_for, validate_spec


def test_mobile_legends_joins_user_and_zone_id():
    fields, template = preset_for("mobile-legends")
    values, errors = clean_values(fields, {"user_id": " 123456789 ", "zone_id": "2345"})
    assert errors == []
    assert build_data(template, values) == "123456789(2345)"


def test_free_fire_needs_only_a_user_id():
    fields, template = preset_for("free-fire")
    assert [field["name"] for field in fields] == ["user_id"]
    values, _ = clean_values(fields, {"user_id": "987654321"})
    assert build_data(template, values) == "987654321"


def test_each_bad_field_gets_its_own_message():
    fields, _ = preset_for("mobile-legends")
    _, errors = clean_values(fields, {"user_id": "12ab", "zone_id": ""})
    assert {error.name for error in errors} == {"user_id", "zone_id"}
    assert all(error.message for error in errors)


def test_choice_field_accepts_only_listed_servers():
    fields, template = preset_for("genshin-impact")
    _, errors = clean_values(fields, {"user_id": "812345678", "server": "Mars"})
    assert [error.name for error in errors] == ["server"]
    values, errors = clean_values(fields, {"user_id": "812345678", "server": "Asia"})
    assert build_data(template, values) == "812345678|Asia"


def test_spec_with_template_naming_an_unknown_field_is_reported():
    problems = validate_spec([{"name": "user_id", "kind": "digits"}], "{user_id}({zone})")
    assert any("zone" in problem for problem in problems)
    assert validate_spec(*preset_for("mobile-legends")) == []

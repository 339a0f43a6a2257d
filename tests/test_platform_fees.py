"""Fee schedules: shipped as package data, validated, with errors that say what to fix."""

import copy
import datetime as dt

import pytest
import yaml

from cbec.modules.platform_operation.fees import (FeeScheduleError, load_schedule, parse_schedule,
                                                  schedules, _schedule_folder)


def raw(name="amazon_us"):
    return yaml.safe_load(_schedule_folder().joinpath(f"{name}.yaml").read_text(encoding="utf-8"))


def test_shipped_schedules_are_found_as_package_data():
    assert {"amazon_us", "ebay_us"} <= set(schedules())


@pytest.mark.parametrize("name", ["amazon_us", "ebay_us"])
def test_schedules_declare_marketplace_version_and_teaching_source(name):
    schedule = load_schedule(name)
    assert schedule.currency == "USD"
    assert isinstance(schedule.effective_date, dt.date)
    assert schedule.version
    assert "teaching" in schedule.source and "NOT a copy" in schedule.source


def test_referral_rates_follow_the_published_ranges():
    amazon = load_schedule("amazon_us")
    rates = [entry.rate for entry in amazon.referral.values()]
    assert min(rates) >= 0.08 and max(rates) <= 0.20
    assert amazon.referral_rate("home_and_kitchen").rate == 0.15
    assert all(entry.minimum == 0.30 for entry in amazon.referral.values())
    ebay = load_schedule("ebay_us")
    assert ebay.referral_rate("toys_and_games").rate == 0.1325
    assert ebay.referral_rate("toys_and_games").fixed_fee == 0.30


def test_fulfilment_fees_span_small_standard_to_large_bulky():
    amazon = load_schedule("amazon_us")
    assert [t.name for t in amazon.size_tiers][:3] == ["small_standard", "large_standard", "large_bulky"]
    small = amazon.tier("small_standard").fee_bands
    assert 3.0 <= small[0].fee <= 4.0
    assert 9.0 <= amazon.tier("large_bulky").fee_bands[0].fee <= 10.0
    assert amazon.dimensional_weight_divisor == 139
    assert amazon.peak_months == (10, 11, 12)
    assert amazon.storage["standard"].peak > amazon.storage["standard"].off_peak


def test_unknown_category_names_the_known_ones():
    with pytest.raises(KeyError, match="everything_else"):
        load_schedule("amazon_us").referral_rate("spaceships")


def test_marketplace_without_fulfilment_says_what_to_use_instead():
    ebay = load_schedule("ebay_us")
    assert not ebay.has_fulfilment
    with pytest.raises(FeeScheduleError, match="own shipping cost"):
        ebay.tier("small_standard")


def test_unknown_schedule_lists_the_shipped_ones():
    with pytest.raises(FeeScheduleError, match="amazon_us"):
        load_schedule("amazon_mars")


def test_a_copy_of_the_file_loads_from_a_path(tmp_path):
    path = tmp_path / "my_marketplace.yaml"
    path.write_text(yaml.safe_dump(raw(), sort_keys=False), encoding="utf-8")
    schedule = load_schedule(path)
    assert schedule.name == "my_marketplace"
    assert schedule.referral == load_schedule("amazon_us").referral


def broken(edit):
    data = copy.deepcopy(raw())
    edit(data)
    return data


@pytest.mark.parametrize("edit, field, advice", [
    (lambda d: d["referral"]["categories"]["toys_and_games"].update(rate=15),
     "referral.categories.toys_and_games.rate", "0.15 for 15%"),
    (lambda d: d.pop("currency"), "currency", "add `currency:`"),
    (lambda d: d.update(effective_date="first of February"), "effective_date", "YYYY-MM-DD"),
    (lambda d: d["fulfilment"]["size_tiers"][0]["fee_bands"].reverse(),
     "fulfilment.size_tiers.small_standard.fee_bands", "lightest first"),
    (lambda d: d["fulfilment"]["size_tiers"][1].update(storage_class="garage"),
     "fulfilment.size_tiers.large_standard.storage_class", "use one of"),
    (lambda d: d.update(storage=None), "storage", "both to null"),
    (lambda d: d["storage"].update(peak_months=["Oct"]), "storage.peak_months", "numbers 1-12"),
])
def test_invalid_files_name_the_file_the_field_and_the_fix(edit, field, advice):
    with pytest.raises(FeeScheduleError) as error:
        parse_schedule(broken(edit), name="bad", path="bad_schedule.yaml")
    message = str(error.value)
    assert message.startswith(f"bad_schedule.yaml: {field}:")
    assert advice in message


def test_invalid_yaml_syntax_names_the_file(tmp_path):
    path = tmp_path / "broken.yaml"
    path.write_text("referral: [unclosed\n", encoding="utf-8")
    with pytest.raises(FeeScheduleError, match=r"broken\.yaml: not valid YAML"):
        load_schedule(path)

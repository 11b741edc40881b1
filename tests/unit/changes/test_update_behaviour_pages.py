"""The facts and the corpus cite the current Template Reference page of their type (never
the archived user guide nor a service guide in its place), and for every property our
templates set the plan is at least as strict as the current page's own words
(scripts/update_behaviour_pages.py; cfnops/awsfacts/page_text.py)."""

from __future__ import annotations

import dataclasses
import importlib.util
import json

from cfnops.awsfacts import page_text, update_behaviour
from cfnops.awsfacts.update_behaviour import Behaviour
from tests.conftest import ROOT

_spec = importlib.util.spec_from_file_location("update_behaviour_pages", ROOT / "scripts" / "update_behaviour_pages.py")
assert _spec and _spec.loader
pages = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(pages)

ARCHIVED = "https://docs.aws.amazon.com/AWSCloudFormation/latest/UserGuide/aws-resource-kms-key.html"


def test_every_fact_and_corpus_case_cites_its_template_reference_page():
    assert pages.problems() == []
    for fact in update_behaviour.facts():
        assert fact.page.startswith("https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-"), fact


def test_a_fact_citing_the_user_guide_or_a_service_guide_is_named(monkeypatch):
    fact = update_behaviour.documented("AWS::KMS::Key", "KeySpec")
    moved = dataclasses.replace(fact, page=ARCHIVED)
    monkeypatch.setattr(update_behaviour, "facts", lambda: (moved,))
    assert pages.miscited_facts() == [
        f"AWS::KMS::Key.KeySpec: cites {ARCHIVED}, not {update_behaviour.page_of('AWS::KMS::Key')}"
    ]
    case = {
        "type": "AWS::S3::Bucket",
        "property": "ObjectLockEnabled",
        "page": "https://docs.aws.amazon.com/AmazonS3/latest/userguide/object-lock-configure.html",
    }
    assert len(pages.miscited_cases([case])) == 1


def test_the_plan_is_at_least_as_strict_as_the_current_pages_words_for_every_property_we_set():
    assert pages.weaker_than_the_page(pages.template_properties()) == []


def test_a_statement_of_the_page_without_a_fact_is_named(monkeypatch):
    """Without its fact, the EIP's Tags ("may require some interruptions") is a plain update: named."""
    original = update_behaviour.documented
    monkeypatch.setattr(
        update_behaviour,
        "documented",
        lambda t, p: None if (t, p) == ("AWS::EC2::EIP", "Tags") else original(t, p),
    )
    (line,) = pages.weaker_than_the_page({"AWS::EC2::EIP": ["Tags"]})
    assert line.startswith("AWS::EC2::EIP.Tags: the current page says SOME_INTERRUPTIONS")


def test_the_pages_words_are_read_not_the_naming_boilerplate():
    said = page_text.statement("AWS::DynamoDB::Table", "AttributeDefinitions")
    assert said is not None and said.behaviour is Behaviour.REPLACEMENT and "existing" in said.words
    assert page_text.statement("AWS::DynamoDB::Table", "TableName") is None  # "updates that require replacement"
    assert page_text.statement("AWS::SQS::Queue", "QueueName") is None


def test_the_corpus_cites_see_also_pages_beside_the_template_reference_page():
    cases = json.loads(pages.CORPUS_FILE.read_text(encoding="utf-8"))["cases"]
    assert all("TemplateReference" not in c["see_also"] for c in cases if "see_also" in c)

"""The tool and the platform: one direction only. Nothing under cfnops/ imports the platform
package by name; the CLI loads the platform that pyproject.toml declares, as a value."""

from __future__ import annotations

import ast

import pytest

from cfnops.core.errors import InputError
from cfnops.inputs import platform as platform_module
from tests.conftest import PLATFORM, ROOT

PLATFORM_PACKAGE = "templates_src"


def platform_imports(source: str, platform_package: str = PLATFORM_PACKAGE) -> list[int]:
    """Line numbers of every import of the platform package (at any depth, inside functions too)."""
    lines = []
    for node in ast.walk(ast.parse(source)):
        names = (
            [alias.name for alias in node.names]
            if isinstance(node, ast.Import)
            else [node.module or ""]
            if isinstance(node, ast.ImportFrom) and not node.level
            else []
        )
        if any(name == platform_package or name.startswith(platform_package + ".") for name in names):
            lines.append(node.lineno)
    return lines


def test_no_module_of_the_tool_imports_the_platform():
    offenders = {
        str(path.relative_to(ROOT)): found
        for path in sorted((ROOT / "cfnops").rglob("*.py"))
        if (found := platform_imports(path.read_text(encoding="utf-8")))
    }
    assert offenders == {}


@pytest.mark.parametrize(
    "source",
    [
        "import templates_src",
        "import templates_src.conventions as c",
        "from templates_src import REGISTRY",
        "def f():\n    from templates_src.conventions import REGIONS\n",
    ],
)
def test_the_scan_finds_every_form_of_import(source):
    assert platform_imports(source) != []


def test_the_scan_ignores_other_packages_and_mentions():
    assert platform_imports("import templates_src_extra\nfrom cfnops import x\nNAME = 'templates_src'\n") == []


def test_the_project_declares_its_platform_and_the_tool_loads_it():
    assert platform_module.declared(ROOT) == "templates_src.platform:PLATFORM"
    assert platform_module.load(ROOT) is PLATFORM
    assert PLATFORM.bootstrap in PLATFORM.registry and PLATFORM.bootstrap not in PLATFORM.workloads


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "[project]\nname = 'x'\n",
            'pyproject.toml: tool.cfnops.platform: expected "module:NAME" naming the project\'s Platform, got None',
        ),
        (
            "[tool.cfnops]\nplatform = 'templates_src.platform'\n",
            "pyproject.toml: tool.cfnops.platform: expected \"module:NAME\" naming the project's Platform, got 'templates_src.platform'",
        ),
        (
            "[tool.cfnops]\nplatform = 'no_such_platform_module:PLATFORM'\n",
            "pyproject.toml: tool.cfnops.platform: cannot import 'no_such_platform_module' (from 'no_such_platform_module:PLATFORM')",
        ),
        (
            "[tool.cfnops]\nplatform = 'templates_src.platform:NOPE'\n",
            "pyproject.toml: tool.cfnops.platform: 'templates_src.platform:NOPE': the module has no such name",
        ),
        (
            "[tool.cfnops]\nplatform = 'templates_src.conventions:REGIONS'\n",
            "pyproject.toml: tool.cfnops.platform: 'templates_src.conventions:REGIONS' is a tuple, expected a cfnops Platform",
        ),
        ("[tool.cfnops\n", None),
    ],
)
def test_a_bad_declaration_is_one_line_naming_file_and_key(tmp_path, text, expected):
    (tmp_path / "pyproject.toml").write_text(text)
    with pytest.raises(InputError) as raised:
        platform_module.load(tmp_path)
    assert len(raised.value.problems) == 1
    if expected is None:
        assert raised.value.problems[0].startswith("pyproject.toml: not valid TOML: ")
    else:
        assert raised.value.problems == [expected]


def test_a_project_without_pyproject_says_where_the_platform_is_declared(tmp_path):
    with pytest.raises(
        InputError,
        match=r"pyproject.toml: not found in .*: the project root declares its platform in "
        r"\[tool.cfnops\] platform = \"module:NAME\"",
    ):
        platform_module.load(tmp_path)


def test_a_platform_must_name_its_bootstrap_template_and_bucket_pattern():
    with pytest.raises(
        ValueError, match="bootstrap template 'roles' is not in the registry; artifacts_bucket must contain"
    ):
        platform_module.Platform(
            "p",
            ("us-east-1",),
            ("dev",),
            {"network": lambda: None},
            "roles",
            (),
            "bucket-{account}",
            protected=(),
            production=(),
        )

"""The docs run: each page's `run` blocks, in order, in a scratch copy of the checkout (with the
page's `file` blocks written into it first) against one localcloud server, as a reader would type
them in a shell where `make localcloud`'s exports are set (tests/support/doccommands.py)."""

from __future__ import annotations

import pytest

from tests.support import doccommands, docs
from tests.support.scratch import run_blocks, scratch_checkout

PAGES = [
    pytest.param(path, id=str(path.relative_to(docs.ROOT)))
    for path in docs.files()
    if any(block.kind == "run" for block in doccommands.blocks(path))
]


@pytest.mark.parametrize("page", PAGES)
def test_each_page_runs_as_written_on_localcloud(page, tmp_path):
    page_blocks = doccommands.blocks(page)
    checkout = scratch_checkout(tmp_path / "checkout")
    for block in page_blocks:
        if block.kind == "file":
            (checkout / block.target).write_text(block.text, encoding="utf-8")
    run_blocks([block for block in page_blocks if block.kind == "run"], checkout, tmp_path)

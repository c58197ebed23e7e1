"""A warehouse is a path or a file:// URL; object-store URLs are refused with the reason and what to do."""
from __future__ import annotations

from pathlib import Path

import pytest

from flows.cli import EXIT_USAGE, main
from tasks.store.location import WarehouseLocationError, local_root
from tasks.store.warehouse import Warehouse


@pytest.mark.parametrize("location, expected", [
    ("warehouse", Path("warehouse")),
    ("/srv/bulletin/warehouse", Path("/srv/bulletin/warehouse")),
    ("file:///srv/bulletin/warehouse", Path("/srv/bulletin/warehouse")),
    ("file://localhost/srv/w", Path("/srv/w")),
    ("file:///srv/with%20space", Path("/srv/with space")),
])
def test_local_root(location, expected):
    assert local_root(location) == expected


@pytest.mark.parametrize("location, reason", [
    ("s3://bucket/warehouse", "s3:// warehouses are not supported: builds become current by an atomic rename"),
    ("gs://bucket/w", "mount the bucket as a filesystem"),
    ("file://otherhost/srv/w", "not host 'otherhost'"),
])
def test_unsupported_locations_say_why(location, reason):
    with pytest.raises(WarehouseLocationError, match=reason.replace("(", r"\(")):
        local_root(location)


def test_a_file_url_warehouse_is_the_same_warehouse(tmp_path):
    assert Warehouse(f"file://{tmp_path}").root == tmp_path


def test_the_cli_refuses_an_object_store_warehouse_in_one_line(capsys):
    assert main(["query", "select 1", "--warehouse", "s3://bucket/warehouse"]) == EXIT_USAGE
    out = capsys.readouterr().out
    assert "s3://bucket/warehouse: s3:// warehouses are not supported" in out and "Traceback" not in out


def test_the_cli_reads_a_file_url_warehouse(tmp_path, capsys):
    (tmp_path / "wh").mkdir()
    assert main(["status", "--warehouse", f"file://{tmp_path / 'wh'}"]) == 0

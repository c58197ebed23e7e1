"""Where a warehouse lives: a path or a file:// URL; other fsspec schemes are refused with the reason."""
from __future__ import annotations

from pathlib import Path
from urllib.parse import unquote, urlparse

MOUNT_HINT = ("builds become current by an atomic rename and a relative symlink, which object stores do not "
              "offer; mount the bucket as a filesystem (s3fs, gcsfuse, blobfuse) and give its path, or build "
              "locally and copy the warehouse to the bucket")


class WarehouseLocationError(ValueError):
    """A warehouse location this store cannot write safely; the message names it and what to do."""


def local_root(location: str | Path) -> Path:
    """The directory of a warehouse given as a path or as an fsspec-style URL (file:///srv/warehouse)."""
    text = str(location)
    if "://" not in text:
        return Path(text)
    parsed = urlparse(text)
    if parsed.scheme == "file":
        if parsed.netloc not in ("", "localhost"):
            raise WarehouseLocationError(f"{text}: a file:// URL names a local path (file:///srv/warehouse), "
                                         f"not host {parsed.netloc!r}")
        return Path(unquote(parsed.path))
    raise WarehouseLocationError(f"{text}: {parsed.scheme}:// warehouses are not supported: {MOUNT_HINT}")

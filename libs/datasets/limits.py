"""Resource limits every reader checks before it commits memory or time to an input."""

from __future__ import annotations

import msgspec

from libs.datasets.errors import DatasetError, DatasetErrorCode


class Limits(msgspec.Struct, kw_only=True, frozen=True, forbid_unknown_fields=True):
    """Upper bounds for one input; the defaults suit a worker with a few GB of memory."""

    #: Size of the uploaded file.
    max_file_bytes: int = 2 * 1024**3
    #: Sum of the declared (and, for the parts we read, actual) decompressed sizes of an xlsx.
    max_decompressed_bytes: int = 1024**3
    #: A single xlsx part whose compression ratio exceeds this is treated as a zip bomb.
    max_compression_ratio: int = 200
    #: Rows x columns of the table read.
    max_cells: int = 400_000_000
    #: Columns (Stata/SE and /MP both take 32,767; /BE takes 2,048).
    max_columns: int = 32_767
    #: Memory an isolated read may add to its reader process (bytes of address space; 0: no
    #: limit). Past it the read fails with ``ReadMemoryExceeded``, not the kernel's OOM killer.
    memory_bytes: int = 0

    def within(self, other: Limits) -> bool:
        """Whether every bound here is at least as tight as ``other``'s (``memory_bytes`` 0
        is no bound), so an input read under these limits would also be read under
        ``other``. Limits only decide whether a read fails, never what a successful one
        returns: a table normalised under limits ``within`` a reader's is the one it would
        write itself."""
        mine, theirs = msgspec.structs.asdict(self), msgspec.structs.asdict(other)
        unbounded = ("memory_bytes",)
        return all(theirs[name] == 0 or (mine[name] != 0 and mine[name] <= theirs[name])
                   if name in unbounded else mine[name] <= theirs[name] for name in mine)


def check_sheet_size(height: int, width: int, limits: Limits) -> None:
    """Refuse a worksheet whose used area (first to last cell with a value) is too big."""
    cells = height * width
    if cells > limits.max_cells or width > limits.max_columns:
        raise DatasetError(
            DatasetErrorCode.INPUT_TOO_MANY_CELLS,
            f"The sheet has {height} rows x {width} columns; the limits are "
            f"{limits.max_cells} cells and {limits.max_columns} columns.",
            cells=cells,
            limit=limits.max_cells,
        )

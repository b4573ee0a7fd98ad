"""PAR Warehouse's pipeline package."""

# Before anything of the package imports polars (pipelines/lib/allocator.py).
from pipelines.lib.allocator import keep_freed_memory

keep_freed_memory()

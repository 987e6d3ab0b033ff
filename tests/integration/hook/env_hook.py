# Run migen on every revision file Alembic writes (docs/alembic-hook.md).
import subprocess
from alembic.script import write_hooks


@write_hooks.register("migen")
def run_migen(filename, options):
    subprocess.run(["migen", "enhance", "--write", "--fail-on", "never", "--add-tenant-indexes",
                    "--use-concurrently", filename], check=True)
